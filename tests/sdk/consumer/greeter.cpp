// greeter -- the plugin the out-of-tree SDK test builds against the installed
// SDK. One task:
//   greet(name)  name: a string. Returns "Hello, <name>!".
#include <fastqueue/plugin.hpp>
#include <string>

namespace {

std::string greet(const std::string& name) { return "Hello, " + name + "!"; }

}  // namespace

FASTQUEUE_PLUGIN("greeter", "0.1.0") {
    plugin.task("greet", "Greets someone by name", greet, {"name"});
}
