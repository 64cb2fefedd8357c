# Placeholder until the cpp-shim lands.
.PHONY: native native-test native-clean
native:
native-test:
native-clean:
