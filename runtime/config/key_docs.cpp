// key_docs.cpp -- see key_docs.hpp.
#include "config/key_docs.hpp"

namespace fastqueue::config {

namespace {

// Keeps a cell inside its column: '|' would end it.
std::string cell(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        if (c == '|') escaped += '\\';
        escaped += c;
    }
    return escaped;
}

}  // namespace

std::string render_key_table_markdown(const std::vector<const KeySpec*>& specs) {
    std::string table =
        "| Flag | Environment variable | TOML key | Default | Meaning |\n"
        "| --- | --- | --- | --- | --- |\n";
    for (const KeySpec* spec : specs) {
        table += "| `" + spec->flag() + " " + spec->value_name + "` | `" + spec->env_name() +
                 "` | " + (spec->is_file_key ? "`" + spec->toml_key() + "`" : "—") + " | " +
                 cell(spec->default_text) + " | " + cell(spec->help) + " |\n";
    }
    return table;
}

}  // namespace fastqueue::config
