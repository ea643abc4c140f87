print("bridgekeeper: under construction")
