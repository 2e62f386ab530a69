// main.cpp -- fastqueue-soak: parse the options, run the soak (which starts
// and stops its own control plane and subworkers), print the report. The exit
// code says whether every task ended exactly as it should (soak_report.hpp).
#include <iostream>

#include "soak_options.hpp"
#include "soak_report.hpp"
#include "soak_run.hpp"

int main(int argc, char** argv) {
    using namespace fastqueue::soak;
    int exit_code = 0;
    auto options = parse_soak_options(argc, argv, exit_code);
    if (!options) return exit_code;
    try {
        const SoakResult result = run_soak(*options);
        if (options->is_json) {
            std::cout << to_json(*options, result).dump(2) << "\n";
        } else {
            std::cout << to_text(*options, result);
        }
        return exit_code_of(result);
    } catch (const std::exception& error) {
        std::cerr << "fastqueue-soak: " << error.what() << "\n";
        return kExitFailed;
    }
}
