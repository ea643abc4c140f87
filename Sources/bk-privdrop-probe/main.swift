// bk-privdrop-probe: drops to a user the way `bridgekeeper run --user` does, then reports what the
// kernel says the process is and which privileged operations still work. The Operations tests run
// it as a child process (privileges cannot be dropped and regained inside the test process).
//
//   bk-privdrop-probe USER [--spawn-thread]
//
// Prints `key=value` lines; exits 0 when the drop worked, 2 when it failed (`drop_error=`).
import Glibc

exit(Probe.run(CommandLine.arguments))
