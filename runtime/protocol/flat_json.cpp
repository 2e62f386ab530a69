// flat_json.cpp -- see flat_json.hpp.
#include "protocol/flat_json.hpp"

#include <simdjson.h>

#include <memory>

namespace fastqueue::protocol {

namespace {

// Texts up to this size are parsed with the calling thread's own parser,
// which keeps its buffers between calls; a larger one (a hostile peer's, up
// to kMaxMetadataBytes) gets a parser of its own, so that no thread keeps
// buffers sized for it.
constexpr std::size_t kReusedParserBytes = 64 * 1024;

// The depth bound simdjson is given. simdjson counts the values inside the
// innermost array or object as one more level: with a bound of 2 it takes
// {"a": 1} and also {"a": {}}, but stops at {"a": {"b": 1}} and at anything
// deeper. The empty arrays and objects it lets through are refused below,
// as read_flat_value() and is_container() meet them.
constexpr std::size_t kSimdjsonMaxDepth = FlatJsonObject::kMaxNesting + 1;

bool is_container(simdjson::dom::element element) {
    const auto type = element.type();
    return type == simdjson::dom::element_type::ARRAY ||
           type == simdjson::dom::element_type::OBJECT;
}

// Reads one element of the document into `value`, a default FlatJsonValue;
// false for an array or object, which a flat text does not hold.
bool read_flat_value(simdjson::dom::element element, FlatJsonValue& value) {
    using simdjson::dom::element_type;
    switch (element.type()) {
        case element_type::NULL_VALUE:
            break;
        case element_type::BOOL:
            value.kind = FlatJsonValue::Kind::boolean;
            value.boolean = element.get_bool().value_unsafe();
            break;
        case element_type::INT64: {
            // simdjson reads every integer that fits as int64; a JSON reader
            // calls those >= 0 unsigned, as nlohmann::json does.
            const std::int64_t number = element.get_int64().value_unsafe();
            if (number < 0) {
                value.kind = FlatJsonValue::Kind::negative_integer;
                value.negative_integer = number;
            } else {
                value.kind = FlatJsonValue::Kind::unsigned_integer;
                value.unsigned_integer = static_cast<std::uint64_t>(number);
            }
            break;
        }
        case element_type::UINT64:
            value.kind = FlatJsonValue::Kind::unsigned_integer;
            value.unsigned_integer = element.get_uint64().value_unsafe();
            break;
        case element_type::DOUBLE:
            value.kind = FlatJsonValue::Kind::floating;
            value.floating = element.get_double().value_unsafe();
            break;
        case element_type::STRING:
            value.kind = FlatJsonValue::Kind::string;
            value.string = std::string(element.get_string().value_unsafe());
            break;
        case element_type::ARRAY:
        case element_type::OBJECT:
            return false;
    }
    return true;
}

}  // namespace

double FlatJsonValue::as_double() const {
    switch (kind) {
        case Kind::unsigned_integer:
            return static_cast<double>(unsigned_integer);
        case Kind::negative_integer:
            return static_cast<double>(negative_integer);
        default:
            return floating;
    }
}

std::optional<FlatJsonObject> FlatJsonObject::parse(std::string_view text,
                                                    BoundedJsonOutcome* outcome) {
    BoundedJsonOutcome unused = BoundedJsonOutcome::invalid;
    BoundedJsonOutcome& parsed = outcome != nullptr ? *outcome : unused;
    parsed = BoundedJsonOutcome::invalid;

    thread_local simdjson::dom::parser reused_parser;
    std::unique_ptr<simdjson::dom::parser> own_parser;
    simdjson::dom::parser* parser = &reused_parser;
    if (text.size() > kReusedParserBytes) {
        own_parser = std::make_unique<simdjson::dom::parser>();
        parser = own_parser.get();
    }
    // A parser takes its depth bound when it first allocates; parse() keeps
    // it when it grows its buffers for a longer text.
    if (parser->max_depth() != kSimdjsonMaxDepth &&
        parser->allocate(text.size(), kSimdjsonMaxDepth) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    // realloc_if_needed: the text is copied into a padded buffer, since a
    // frame's bytes end where they end.
    simdjson::dom::element document;
    const auto error =
        parser->parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(document);
    if (error == simdjson::DEPTH_ERROR) parsed = BoundedJsonOutcome::too_deep;
    if (error != simdjson::SUCCESS) return std::nullopt;

    FlatJsonObject object;
    simdjson::dom::object members;
    if (document.get_object().get(members) != simdjson::SUCCESS) {
        // Valid JSON, not an object: flat unless it is an array holding one.
        simdjson::dom::array items;
        if (document.get_array().get(items) == simdjson::SUCCESS) {
            for (const auto item : items) {
                if (is_container(item)) {
                    parsed = BoundedJsonOutcome::too_deep;
                    return std::nullopt;
                }
            }
        }
        parsed = BoundedJsonOutcome::ok;
        return object;
    }
    object.is_object_ = true;
    object.members_.reserve(members.size());
    for (const auto field : members) {
        auto& member = object.members_.emplace_back(std::string(field.key), FlatJsonValue{});
        if (!read_flat_value(field.value, member.second)) {
            parsed = BoundedJsonOutcome::too_deep;
            return std::nullopt;
        }
    }
    parsed = BoundedJsonOutcome::ok;
    return object;
}

const FlatJsonValue* FlatJsonObject::find(std::string_view key) const {
    for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
        if (it->first == key) return &it->second;
    }
    return nullptr;
}

}  // namespace fastqueue::protocol
