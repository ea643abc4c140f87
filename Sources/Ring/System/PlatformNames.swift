import Platform

/// The CPU pinning helpers, which moved to the Platform module; this name keeps code that imports
/// only Ring (the Bridge, until it imports Platform) compiling.
public typealias CPUAffinity = Platform.CPUAffinity
