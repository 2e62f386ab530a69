// config_file.cpp -- see config_file.hpp. toml++ does the parsing; this file
// maps TOML types onto the ValueKinds of the key table and turns every value
// into the same text a flag would carry, so one validator serves every layer.
#include "config/config_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_error.hpp"
#include "config/value_parsers.hpp"

namespace fastqueue::config {

namespace {

std::string read_whole_file(const std::string& path) {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
        throw ConfigError("cannot read config file '" + path + "': it is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError("cannot read config file '" + path + "': " + std::strerror(errno));
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    if (in.bad()) {
        throw ConfigError("cannot read config file '" + path + "': read error");
    }
    return contents.str();
}

std::string line_of(const toml::node& node) { return std::to_string(node.source().begin.line); }

std::string type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a float";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        default:
            return "nothing";
    }
}

std::string expected_type(ValueKind kind) {
    switch (kind) {
        case ValueKind::string:
            return "a string";
        case ValueKind::integer:
            return "an integer";
        case ValueKind::number:
            return "a number";
        case ValueKind::name_list:
        case ValueKind::path_list:
            return "a string or an array of strings";
    }
    return "a value";
}

// Shortest text that reads back as the same double (e.g. 2.5 -> "2.5").
std::string number_text(double number) {
    char buffer[64];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
    return error == std::errc() ? std::string(buffer, end) : std::to_string(number);
}

// The value of `node` for `spec` as text, or std::nullopt when its TOML type
// does not fit the key.
std::optional<std::vector<std::string>> items_of(const KeySpec& spec, const toml::node& node) {
    switch (spec.kind) {
        case ValueKind::string:
            if (auto text = node.value_exact<std::string>()) return std::vector{*text};
            return std::nullopt;
        case ValueKind::integer:
            if (auto integer = node.value_exact<std::int64_t>()) {
                return std::vector{std::to_string(*integer)};
            }
            return std::nullopt;
        case ValueKind::number:
            if (auto integer = node.value_exact<std::int64_t>()) {
                return std::vector{std::to_string(*integer)};
            }
            if (auto number = node.value_exact<double>()) return std::vector{number_text(*number)};
            return std::nullopt;
        case ValueKind::name_list:
        case ValueKind::path_list: {
            std::vector<std::string> texts;
            if (auto text = node.value_exact<std::string>()) {
                texts.push_back(*text);
            } else if (const toml::array* array = node.as_array()) {
                for (const toml::node& element : *array) {
                    auto element_text = element.value_exact<std::string>();
                    if (!element_text) return std::nullopt;
                    texts.push_back(*element_text);
                }
            } else {
                return std::nullopt;
            }
            if (spec.kind == ValueKind::path_list) return texts;
            std::vector<std::string> names;
            for (const auto& text : texts) {
                for (auto& name : split_names(text)) names.push_back(std::move(name));
            }
            return names;
        }
    }
    return std::nullopt;
}

const KeySpec* find_file_key(const std::vector<const KeySpec*>& specs, std::string_view key) {
    for (const KeySpec* spec : specs) {
        if (spec->is_file_key && spec->toml_key() == key) return spec;
    }
    return nullptr;
}

}  // namespace

std::map<std::string, RawValue> read_config_file(const std::string& path,
                                                 const std::vector<const KeySpec*>& specs) {
    const std::string contents = read_whole_file(path);
    toml::table table;
    try {
        table = toml::parse(contents, path);
    } catch (const toml::parse_error& error) {
        throw ConfigError("config file '" + path + "' line " +
                          std::to_string(error.source().begin.line) + ", column " +
                          std::to_string(error.source().begin.column) + ": " +
                          std::string(error.description()));
    }

    std::map<std::string, RawValue> values;
    for (const auto& [key, node] : table) {
        const KeySpec* spec = find_file_key(specs, key.str());
        if (spec == nullptr) {
            std::string message = "unknown key '" + std::string(key.str()) + "' in config file '" +
                                  path + "' (line " + line_of(node) + ")";
            // A common slip: writing the flag's spelling instead of the TOML key.
            std::string underscored(key.str());
            std::replace(underscored.begin(), underscored.end(), '-', '_');
            if (underscored != key.str() && find_file_key(specs, underscored) != nullptr) {
                message += "; did you mean '" + underscored + "'?";
            }
            throw ConfigError(message);
        }
        std::string source = path + ": " + spec->toml_key();
        auto items = items_of(*spec, node);
        if (!items) {
            std::string got = type_name(node);
            if (const toml::array* array = node.as_array(); array && spec->is_list()) {
                got = "an array holding something other than strings";
            }
            throw ConfigError("wrong type for " + source + " (line " + line_of(node) +
                              "): expected " + expected_type(spec->kind) + ", got " + got);
        }
        values[spec->name] = RawValue{std::move(*items), std::move(source)};
    }
    return values;
}

}  // namespace fastqueue::config
