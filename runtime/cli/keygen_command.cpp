// keygen_command.cpp -- `fastqueue keygen --out PREFIX`: a new CURVE key pair
// written as PREFIX.key (public, to hand to peers) and PREFIX.key_secret
// (public and secret, mode 0600), neither ever overwriting an existing file
// (transport/curve_certificate.hpp). Exit codes: 0 written, 1 not written
// (a file exists, the directory is not writable, no CURVE in libzmq), 2 usage.
#include <iostream>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "transport/curve_certificate.hpp"

namespace fastqueue::cli {

Command add_keygen_command(CLI::App& app) {
    auto* command = app.add_subcommand(
        "keygen", "Write a new CURVE key pair: PREFIX.key (public) and PREFIX.key_secret");
    auto prefix = std::make_shared<std::string>();
    command->add_option("--out", *prefix, "Path prefix of the two certificate files")
        ->required()
        ->check([](const std::string& value) {
            return value.empty() ? std::string("must name a path") : std::string();
        });
    return {command, [prefix]() {
                try {
                    const CurveKeyPair keys = generate_curve_key_pair();
                    write_curve_certificates(*prefix, keys);
                    std::cout << "public key " << keys.public_key << "\n"
                              << "wrote " << *prefix << ".key (public: give it to peers)\n"
                              << "wrote " << *prefix
                              << ".key_secret (secret, mode 0600: keep it here)\n";
                    return static_cast<int>(kExitOk);
                } catch (const CurveCertificateError& error) {
                    std::cerr << "fastqueue keygen: " << error.what() << "\n";
                    return static_cast<int>(kExitFailure);
                }
            }};
}

}  // namespace fastqueue::cli
