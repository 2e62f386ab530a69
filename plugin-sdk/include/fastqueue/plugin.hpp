// fastqueue/plugin.hpp -- optional, header-only C++17 wrapper over the C ABI in
// fastqueue/plugin.h, so that one line registers a typed task:
//
//     #include <fastqueue/plugin.hpp>
//
//     long long add(long long x, long long y) { return x + y; }
//
//     FASTQUEUE_PLUGIN("mytasks", "1.0.0") {
//         plugin.task("add", "Adds two integers", add, {"x", "y"});
//     }
//
// Contracts:
//   - Input. A task's input is decoded as JSON {"args": [...], "kwargs": {...}};
//     either member may be absent or null, and empty input means no arguments.
//     Input nested more than 1024 arrays and objects deep is an error.
//     Positional arguments bind in order; keyword arguments bind by the
//     parameter names given at registration (no names: positional only).
//     Supported parameter types: bool, integer types (a non-integral or
//     out-of-range number is an error, never a wrap-around), float and double
//     (integers accepted), std::string, json (any value), Number (any JSON
//     number, kept exactly as given), std::vector<T>, std::map<std::string, T>,
//     std::optional<T> (missing or null -> std::nullopt), and any type with a
//     nlohmann from_json. Parameters are taken by value or const reference;
//     a json or std::string taken by value is moved in, not copied.
//   - Errors. Bad input, a wrong argument count or type, a missing argument
//     and any exception thrown by the handler end the task as an error: the
//     wrapper calls host->set_error with a message and returns non-FQ_OK.
//     Argument errors name the argument, e.g.
//       argument 2 ('y'): expected a number, got string "abc"
//     Messages are passed on as valid UTF-8 (other bytes become U+FFFD).
//     Throw Cancelled (or call TaskContext::throw_if_cancelled) to end a task
//     that was asked to stop; the host then records it as cancelled. Throw
//     RetryableError for a failure another attempt may not meet (the handler
//     returns FQ_ERROR_RETRYABLE; a task submitted with retries runs again).
//   - Defaults. A TaskDefaults given at registration sets the task's default
//     run-time limit (fq_task_def.timeout_ms, ABI 1.1).
//   - Output. The return value is encoded with nlohmann::json (void -> null)
//     and handed to host->set_result. Non-finite doubles encode as null.
//   - Input and output text are read and written as nlohmann's parse and dump
//     would, only faster (fastqueue/plugin_json.hpp, which uses simdjson).
//   - Exceptions never cross the ABI: the descriptor's init and every handler
//     enter the plugin through exactly one trampoline each, which catches
//     everything and turns it into a status plus a message.
//
// Thread safety: registration happens once, on the thread that calls init.
// After that the wrapper's state is read-only, so handlers may run on any
// number of runtime threads at once; the functions you register must be safe
// to call concurrently (a mutable lambda is refused at compile time).
//
// Ownership: the wrapper owns the registered callables and their parameter
// names until the descriptor's shutdown. TaskContext wraps the host-owned
// fq_task_context and is valid only during the handler call it is passed to.
//
// Build plugins with hidden symbol visibility (fastqueue_add_plugin does), so
// that two plugins in one process never share this header's inline code.
#pragma once

#include <fastqueue/plugin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <fastqueue/plugin_json.hpp>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace fastqueue::plugin {

using json = nlohmann::json;

// The host's log levels (fq_log_level).
enum class LogLevel : int {
    trace = FQ_LOG_TRACE,
    debug = FQ_LOG_DEBUG,
    info = FQ_LOG_INFO,
    warn = FQ_LOG_WARN,
    error = FQ_LOG_ERROR,
};

// Thrown to end a task that was asked to stop. The task ends with the error
// "cancelled"; the host records it as cancelled because its flag was raised.
class Cancelled : public std::exception {
public:
    const char* what() const noexcept override { return "cancelled"; }
};

// Thrown to fail a task in a way another attempt may not meet (a busy or
// unreachable resource). The task fails with what() as its error and the
// status FQ_ERROR_RETRYABLE; the runtime tries it again when it was submitted
// with retries left (ABI 1.1; an older runtime fails it like any error).
class RetryableError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a task declares about itself at registration.
struct TaskDefaults {
    // Run-time limit of each attempt when the submission sets none; zero
    // means none of the task's own (the control plane's default applies).
    // Stored in whole milliseconds, at most about 49 days.
    std::chrono::milliseconds timeout{0};
};

// A handler's view of its running task. Valid only during the handler call.
// Every member may be called from the handler's thread.
class TaskContext {
public:
    TaskContext(const fq_host_api& host, fq_task_context* context) noexcept
        : host_(&host), context_(context) {}
    TaskContext(const TaskContext&) = delete;
    TaskContext& operator=(const TaskContext&) = delete;

    // True once the task has been asked to stop (cancel or shutdown). Cheap;
    // a long handler should poll it every few milliseconds.
    bool is_cancelled() const noexcept { return host_->is_cancelled(context_) != 0; }
    // Throws Cancelled when is_cancelled().
    void throw_if_cancelled() const {
        if (is_cancelled()) throw Cancelled();
    }
    // Reports progress; fraction is clamped to [0, 1]. An empty message is
    // passed to the host as NULL.
    void report_progress(double fraction, const std::string& message = {}) const {
        if (!(fraction >= 0.0)) fraction = 0.0;  // also maps NaN to 0
        if (fraction > 1.0) fraction = 1.0;
        host_->report_progress(context_, fraction, message.empty() ? nullptr : message.c_str());
    }
    // Writes one line to the runtime's log, naming this task.
    void log(LogLevel level, const std::string& message) const {
        host_->log(context_, static_cast<int>(level), message.c_str());
    }

    // The raw ABI handles, for calls the wrapper does not cover.
    const fq_host_api& host() const noexcept { return *host_; }
    fq_task_context* raw() const noexcept { return context_; }

private:
    const fq_host_api* host_;
    fq_task_context* context_;
};

// A JSON number kept exactly as it was given: an integer stays an integer
// (signed or unsigned 64-bit), a float stays a float. Returning it encodes the
// same number back.
class Number {
public:
    Number() = default;
    // Precondition: value.is_number().
    explicit Number(json value) : value_(std::move(value)) {}

    bool is_integer() const noexcept { return value_.is_number_integer(); }
    double as_double() const { return value_.get<double>(); }
    const json& value() const noexcept { return value_; }

private:
    json value_ = 0;
};

inline void to_json(json& out, const Number& number) { out = number.value(); }

// Describes a value for an error message: its JSON type, then the value
// (abbreviated), e.g. `string "abc"`, `number 2.5`, `null`. dump() recurses
// once per level: every value described here is part of a task's input as
// parse_json read it, at most kMaxJsonDepth deep.
inline std::string describe_value(const json& value) {
    if (value.is_null()) return "null";
    constexpr std::size_t kMaxShownChars = 60;
    std::string shown = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (shown.size() > kMaxShownChars) shown = shown.substr(0, kMaxShownChars) + "...";
    return std::string(value.type_name()) + " " + shown;
}

namespace detail {

// An argument that could not be decoded. path is "" for the argument itself,
// or the element inside it ("[2]", "[\"key\"]").
struct DecodeError {
    std::string path;
    std::string expected;
    std::string given;
};

// A task input or argument error with its complete message.
class ArgumentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class T, class C, class A>
struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

template <class T, class = void>
struct has_from_json : std::false_type {};
template <class T>
struct has_from_json<T, std::void_t<decltype(nlohmann::adl_serializer<T>::from_json(
                            std::declval<const json&>(), std::declval<T&>()))>> : std::true_type {};

// What a parameter of type T accepts, for error messages.
template <class T>
std::string expected_text() {
    if constexpr (std::is_same_v<T, bool>) {
        return "a boolean";
    } else if constexpr (std::is_integral_v<T>) {
        return "an integer";
    } else if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Number>) {
        return "a number";
    } else if constexpr (std::is_same_v<T, std::string>) {
        return "a string";
    } else if constexpr (std::is_same_v<T, json>) {
        return "a JSON value";
    } else if constexpr (is_optional<T>::value) {
        return expected_text<typename T::value_type>() + " or null";
    } else if constexpr (is_vector<T>::value) {
        return "an array";
    } else if constexpr (is_string_map<T>::value) {
        return "an object";
    } else {
        return "a value of the parameter's type";
    }
}

template <class T>
[[noreturn]] void throw_decode_error(const json& value, std::string expected = expected_text<T>()) {
    throw DecodeError{"", std::move(expected), describe_value(value)};
}

// Decodes an integer without wrap-around: every value outside T's range, and
// every number with a fractional part, is a DecodeError.
template <class T>
T decode_integer(const json& value) {
    static_assert(!std::is_same_v<T, char>, "use std::string, or signed/unsigned char");
    static_assert(sizeof(T) <= sizeof(std::int64_t),
                  "integers wider than 64 bits are not supported");
    using limits = std::numeric_limits<T>;
    const auto out_of_range = [&] {
        throw_decode_error<T>(value, "an integer in [" + std::to_string(limits::min()) + ", " +
                                         std::to_string(limits::max()) + "]");
    };
    if (value.is_number_unsigned()) {
        const auto number = value.get<std::uint64_t>();
        if (number > static_cast<std::uint64_t>(limits::max())) out_of_range();
        return static_cast<T>(number);
    }
    if (value.is_number_integer()) {
        const auto number = value.get<std::int64_t>();
        if constexpr (std::is_signed_v<T>) {
            if (number < static_cast<std::int64_t>(limits::min()) ||
                number > static_cast<std::int64_t>(limits::max()))
                out_of_range();
        } else {
            if (number < 0 || static_cast<std::uint64_t>(number) > limits::max()) out_of_range();
        }
        return static_cast<T>(number);
    }
    if (value.is_number_float()) {
        // A float with an integral value (3.0) is accepted; the range check
        // uses powers of two, which doubles represent exactly.
        const double number = value.get<double>();
        if (!std::isfinite(number) || number != std::trunc(number)) throw_decode_error<T>(value);
        const double upper = std::ldexp(1.0, limits::digits);  // one past max
        const double lower = std::is_signed_v<T> ? -upper : 0.0;
        if (number < lower || number >= upper) out_of_range();
        return static_cast<T>(number);
    }
    throw_decode_error<T>(value);
}

template <class T>
T decode(const json& value);

// Decodes each element of an array or object, prefixing errors with where.
template <class Elem>
Elem decode_element(const json& value, const std::string& where) {
    try {
        return decode<Elem>(value);
    } catch (DecodeError& error) {
        error.path = where + error.path;
        throw;
    }
}

// Decodes a JSON value as a parameter of type T, or throws DecodeError.
template <class T>
T decode(const json& value) {
    if constexpr (std::is_same_v<T, bool>) {
        if (!value.is_boolean()) throw_decode_error<T>(value);
        return value.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
        return decode_integer<T>(value);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!value.is_number()) throw_decode_error<T>(value);
        const double number = value.get<double>();
        if (std::isfinite(number) && std::fabs(number) > std::numeric_limits<T>::max())
            throw_decode_error<T>(value, "a number in the range of float");
        return static_cast<T>(number);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!value.is_string()) throw_decode_error<T>(value);
        return value.get<std::string>();
    } else if constexpr (std::is_same_v<T, json>) {
        return value;
    } else if constexpr (std::is_same_v<T, Number>) {
        if (!value.is_number()) throw_decode_error<T>(value);
        return Number(value);
    } else if constexpr (is_optional<T>::value) {
        if (value.is_null()) return std::nullopt;
        try {
            return T(decode<typename T::value_type>(value));
        } catch (DecodeError& error) {
            if (error.path.empty()) error.expected += " or null";
            throw;
        }
    } else if constexpr (is_vector<T>::value) {
        if (!value.is_array()) throw_decode_error<T>(value);
        T out;
        out.reserve(value.size());
        for (std::size_t i = 0; i < value.size(); ++i)
            out.push_back(
                decode_element<typename T::value_type>(value[i], "[" + std::to_string(i) + "]"));
        return out;
    } else if constexpr (is_string_map<T>::value) {
        if (!value.is_object()) throw_decode_error<T>(value);
        T out;
        for (const auto& [key, element] : value.items())
            out.emplace(key, decode_element<typename T::mapped_type>(element, "[\"" + key + "\"]"));
        return out;
    } else {
        static_assert(has_from_json<T>::value,
                      "unsupported parameter type: use bool, an integer, float, double, "
                      "std::string, fastqueue::plugin::json, Number, std::vector, std::map, "
                      "std::optional, or give the type a nlohmann from_json");
        try {
            return value.get<T>();
        } catch (const json::exception&) {
            throw_decode_error<T>(value);
        }
    }
}

// "argument 2 ('y')" or, without names, "argument 2". index is 0-based.
inline std::string argument_label(std::size_t index, const std::vector<std::string>& names) {
    std::string label = "argument " + std::to_string(index + 1);
    if (index < names.size()) label += " ('" + names[index] + "')";
    return label;
}

// decode<T>, except that a json or std::string parameter takes the value
// itself rather than a copy of it (a 64 KiB string argument is otherwise
// copied once more). Safe because the wrapper owns the decoded input and
// binds each of its values to one parameter at most.
template <class T>
T decode_taking(json& value) {
    if constexpr (std::is_same_v<T, json>) {
        return std::move(value);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (value.is_string()) return std::move(value.get_ref<std::string&>());
        return decode<T>(value);
    } else {
        return decode<T>(value);
    }
}

// Finds the JSON value for parameter `index` (positional first, then by
// name) and decodes it, taking it out of args or kwargs (decode_taking).
template <class T>
T bind_argument(std::size_t index, json& args, json& kwargs,
                const std::vector<std::string>& names) {
    json* value = nullptr;
    if (index < args.size()) value = &args[index];
    if (index < names.size()) {
        const auto named = kwargs.find(names[index]);
        if (named != kwargs.end()) {
            if (value != nullptr)
                throw ArgumentError(argument_label(index, names) +
                                    " given both by position and by name");
            value = &*named;
        }
    }
    if (value == nullptr) {
        if constexpr (is_optional<T>::value) {
            return std::nullopt;
        } else {
            throw ArgumentError("missing " + argument_label(index, names) + ": expected " +
                                expected_text<T>());
        }
    }
    try {
        return decode_taking<T>(*value);
    } catch (const DecodeError& error) {
        std::string where = argument_label(index, names);
        if (!error.path.empty()) where += ", element " + error.path;
        throw ArgumentError(where + ": expected " + error.expected + ", got " + error.given);
    }
}

// Removes nlohmann's "[json.exception.NAME.ID] " prefix from a message.
inline std::string without_json_prefix(const std::string& message) {
    if (message.rfind("[json.exception.", 0) != 0) return message;
    const auto end = message.find("] ");
    return end == std::string::npos ? message : message.substr(end + 2);
}

// The decoded {"args": [...], "kwargs": {...}} of one task input; members
// that were absent are an empty array and an empty object.
struct TaskInput {
    json args = json::array();
    json kwargs = json::object();
};

inline TaskInput parse_task_input(const std::uint8_t* input, std::size_t input_size) {
    TaskInput parsed;
    const char* begin = reinterpret_cast<const char*>(input);
    const char* end = begin + input_size;
    const auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    if (std::all_of(begin, end, is_blank)) return parsed;

    json document;
    try {
        document = parse_json(begin, input_size);
    } catch (const json::exception& error) {
        // parse_error, and out_of_range for a number too large for a double.
        throw ArgumentError("task input is not valid JSON: " + without_json_prefix(error.what()));
    } catch (const JsonTooDeep& error) {
        throw ArgumentError(std::string("task input is ") + error.what());
    }
    if (!document.is_object())
        throw ArgumentError(
            "task input must be a JSON object {\"args\": [...], \"kwargs\": {...}}, got " +
            describe_value(document));
    for (auto& [key, value] : document.items()) {
        if (key == "args") {
            if (value.is_array())
                parsed.args = std::move(value);
            else if (!value.is_null())
                throw ArgumentError("task input: \"args\" must be an array, got " +
                                    describe_value(value));
        } else if (key == "kwargs") {
            if (value.is_object())
                parsed.kwargs = std::move(value);
            else if (!value.is_null())
                throw ArgumentError("task input: \"kwargs\" must be an object, got " +
                                    describe_value(value));
        } else {
            throw ArgumentError("task input: unknown member \"" + key +
                                "\" (expected \"args\" and \"kwargs\")");
        }
    }
    return parsed;
}

// Call signature of a handler: its result and parameter types.
template <class... Ts>
struct TypeList {};

template <class F>
struct Signature : Signature<decltype(&F::operator())> {};
template <class R, class... A>
struct Signature<R (*)(A...)> {
    using Result = R;
    using Params = TypeList<A...>;
};
template <class R, class... A>
struct Signature<R (*)(A...) noexcept> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) const> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) const noexcept> : Signature<R (*)(A...)> {};

template <class T>
constexpr bool is_context_parameter = std::is_same_v<std::decay_t<T>, TaskContext>;

// One registered task: what the handler trampoline calls through user_data.
class TaskBase {
public:
    TaskBase(const fq_host_api& host, std::string name) : host_(&host), name_(std::move(name)) {}
    virtual ~TaskBase() = default;
    TaskBase(const TaskBase&) = delete;
    TaskBase& operator=(const TaskBase&) = delete;

    const fq_host_api& host() const noexcept { return *host_; }
    const std::string& name() const noexcept { return name_; }
    // Decodes the input, calls the function, returns its result. Arguments
    // are moved out of input.
    virtual json invoke(TaskContext& context, TaskInput& input) const = 0;

private:
    const fq_host_api* host_;
    std::string name_;
};

template <class Fn, class Result, bool kTakesContext, class... Params>
class TypedTask final : public TaskBase {
public:
    TypedTask(const fq_host_api& host, std::string name, Fn fn, std::vector<std::string> names)
        : TaskBase(host, std::move(name)), fn_(std::move(fn)), names_(std::move(names)) {}

    json invoke(TaskContext& context, TaskInput& input) const override {
        check_counts(input);
        return call(context, input, std::index_sequence_for<Params...>{});
    }

private:
    void check_counts(const TaskInput& input) const {
        if (input.args.size() > sizeof...(Params))
            throw ArgumentError("too many arguments: task '" + name() + "' takes " +
                                std::to_string(sizeof...(Params)) + ", got " +
                                std::to_string(input.args.size()));
        for (const auto& [key, value] : input.kwargs.items()) {
            bool is_known = false;
            for (const auto& known : names_) is_known = is_known || known == key;
            if (!is_known)
                throw ArgumentError(
                    "unexpected keyword argument '" + key + "'" +
                    (names_.empty() ? " (task '" + name() + "' takes positional arguments only)"
                                    : std::string()));
        }
    }

    template <std::size_t... I>
    json call(TaskContext& context, TaskInput& input, std::index_sequence<I...>) const {
        // Braced initialisation decodes left to right, so the first bad
        // argument is the one reported.
        std::tuple<Params...> values{bind_argument<Params>(I, input.args, input.kwargs, names_)...};
        const auto invoke_fn = [&]() -> decltype(auto) {
            if constexpr (kTakesContext)
                return fn_(context, std::move(std::get<I>(values))...);
            else
                return fn_(std::move(std::get<I>(values))...);
        };
        if constexpr (std::is_void_v<Result>) {
            invoke_fn();
            return json(nullptr);
        } else {
            return json(invoke_fn());
        }
    }

    const Fn fn_;
    const std::vector<std::string> names_;
};

// Checks that names (when given) name every JSON parameter once.
inline void check_parameter_names(const std::string& task_name,
                                  const std::vector<std::string>& names, std::size_t count) {
    if (!names.empty() && names.size() != count)
        throw std::invalid_argument("task '" + task_name + "': " + std::to_string(names.size()) +
                                    " parameter names given for " + std::to_string(count) +
                                    " parameters");
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (names[i] == names[j])
                throw std::invalid_argument("task '" + task_name + "': parameter name '" +
                                            names[i] + "' given twice");
}

template <class First, class... Rest>
TypeList<Rest...> drop_first(TypeList<First, Rest...>) {
    return {};
}

// Params are the JSON parameters only (TaskContext& already dropped).
template <class Fn, class Result, bool kTakesContext, class... Params>
std::unique_ptr<TaskBase> make_typed_task(const fq_host_api& host, std::string name, Fn fn,
                                          std::vector<std::string> names, TypeList<Params...>) {
    static_assert(((!std::is_lvalue_reference_v<Params> ||
                    std::is_const_v<std::remove_reference_t<Params>>)&&...),
                  "take task parameters by value or by const reference");
    static_assert((!is_context_parameter<Params> && ...),
                  "TaskContext& may only be the first parameter");
    check_parameter_names(name, names, sizeof...(Params));
    using Task = TypedTask<Fn, Result, kTakesContext, std::decay_t<Params>...>;
    return std::make_unique<Task>(host, std::move(name), std::move(fn), std::move(names));
}

template <class L>
struct FirstIsContext : std::false_type {};
template <class First, class... Rest>
struct FirstIsContext<TypeList<First, Rest...>> : std::bool_constant<is_context_parameter<First>> {
};

template <class Fn>
std::unique_ptr<TaskBase> make_task(const fq_host_api& host, std::string name, Fn fn,
                                    std::vector<std::string> names) {
    using Sig = Signature<Fn>;
    using Params = typename Sig::Params;
    if constexpr (FirstIsContext<Params>::value) {
        return make_typed_task<Fn, typename Sig::Result, true>(
            host, std::move(name), std::move(fn), std::move(names), drop_first(Params{}));
    } else {
        return make_typed_task<Fn, typename Sig::Result, false>(
            host, std::move(name), std::move(fn), std::move(names), Params{});
    }
}

// Ends a task with an error message, made valid UTF-8 as set_error requires:
// every byte that is not part of a well-formed sequence becomes U+FFFD. The
// JSON parser quotes the input bytes it stopped at, a value shown in a
// message may be cut inside a character, and a handler's exception may hold
// any bytes. Never throws.
inline int fail_task(const fq_host_api& host, fq_task_context* context, const char* message,
                     int status) noexcept {
    try {
        const std::string repaired =
            json::parse(
                json(std::string(message)).dump(-1, ' ', false, json::error_handler_t::replace))
                .get<std::string>();
        host.set_error(context, repaired.c_str());
    } catch (...) {
        host.set_error(context, "task failed; its error message could not be encoded");
    }
    return status;
}

// The one entry into the plugin for every task handler registered through the
// wrapper (fq_task_handler). user_data is the TaskBase. Catches everything.
inline int task_trampoline(fq_task_context* context, const std::uint8_t* input,
                           std::size_t input_size, void* user_data) noexcept {
    const auto& task = *static_cast<const TaskBase*>(user_data);
    const fq_host_api& host = task.host();
    try {
        TaskContext task_context(host, context);
        TaskInput arguments = parse_task_input(input, input_size);
        const json result = task.invoke(task_context, arguments);
        std::string encoded;
        try {
            encoded = dump_json(result);
        } catch (const json::exception& error) {
            throw std::runtime_error("cannot encode the result as JSON: " +
                                     without_json_prefix(error.what()));
        }
        const int status = host.set_result(
            context, reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size());
        if (status != FQ_OK) return fail_task(host, context, "the host refused the result", status);
        return FQ_OK;
    } catch (const ArgumentError& error) {
        return fail_task(host, context, error.what(), FQ_ERROR_INVALID_ARGUMENT);
    } catch (const RetryableError& error) {
        return fail_task(host, context, error.what(), FQ_ERROR_RETRYABLE);
    } catch (const std::exception& error) {
        return fail_task(host, context, error.what(), FQ_ERROR);
    } catch (...) {
        return fail_task(host, context, "task threw an exception not derived from std::exception",
                         FQ_ERROR);
    }
}

// Copies message into the host's init error buffer (truncating, always
// NUL-terminated). Never throws.
inline void write_init_error(char* error, std::size_t error_size, const char* message) noexcept {
    if (error == nullptr || error_size == 0) return;
    const std::size_t length = std::min(std::strlen(message), error_size - 1);
    std::memcpy(error, message, length);
    error[length] = '\0';
}

}  // namespace detail

class Plugin;

// What the FASTQUEUE_PLUGIN body receives as `plugin`: registers tasks during
// init. Only valid inside that body; not thread-safe (init runs on one thread).
class Registrar {
public:
    Registrar(const Registrar&) = delete;
    Registrar& operator=(const Registrar&) = delete;

    // Registers a typed task. fn is a function, function pointer or lambda
    // (not generic, not mutable) whose parameters are decoded from the input;
    // it may take TaskContext& first. parameter_names, when given, name every
    // decoded parameter in order and enable keyword arguments. defaults sets
    // what the task declares about itself (its default timeout). Throws (and
    // so fails init) on a bad name list, a timeout that does not fit
    // fq_task_def.timeout_ms, or when the host refuses the task.
    template <class Fn>
    Registrar& task(std::string name, std::string description, Fn&& fn,
                    std::vector<std::string> parameter_names = {},
                    const TaskDefaults& defaults = {});

    // Registers a plain ABI handler, for tasks that want the raw input bytes.
    Registrar& raw_task(const std::string& name, const std::string& description,
                        fq_task_handler handler, void* user_data,
                        const TaskDefaults& defaults = {});

    // The host's function table (e.g. to check host().abi_minor).
    const fq_host_api& host() const noexcept { return *host_; }
    // Logs one line from init (no task context).
    void log(LogLevel level, const std::string& message) const {
        host_->log(nullptr, static_cast<int>(level), message.c_str());
    }

private:
    friend class Plugin;
    Registrar(Plugin& plugin, const fq_host_api& host, fq_registrar* registrar)
        : plugin_(&plugin), host_(&host), registrar_(registrar) {}
    void register_def(const std::string& name, const std::string& description,
                      fq_task_handler handler, void* user_data, const TaskDefaults& defaults);

    Plugin* plugin_;
    const fq_host_api* host_;
    fq_registrar* registrar_;
};

// The state of one plugin: its define function and the tasks it registered.
// FASTQUEUE_PLUGIN creates one per plugin with internal linkage and forwards
// the descriptor's init and shutdown to it; tests may drive one directly.
class Plugin {
public:
    using DefineFn = void (*)(Registrar&);
    explicit Plugin(DefineFn define) noexcept : define_(define) {}
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    // The descriptor's init (same contract): checks the host table, runs the
    // define function and registers its tasks. Returns FQ_OK, or a status with
    // a message in error. Never throws.
    int init(const fq_host_api* host, fq_registrar* registrar, char* error,
             std::size_t error_size) noexcept {
        try {
            tasks_.clear();
            if (host == nullptr) throw std::invalid_argument("host function table is NULL");
            if (host->abi_major != FQ_PLUGIN_ABI_MAJOR)
                throw std::runtime_error("host ABI major " + std::to_string(host->abi_major) +
                                         " differs from the plugin's " +
                                         std::to_string(FQ_PLUGIN_ABI_MAJOR));
            if (host->struct_size < offsetof(fq_host_api, log) + sizeof(host->log))
                throw std::runtime_error("host function table is smaller than ABI 1.0's (" +
                                         std::to_string(host->struct_size) + " bytes)");
            Registrar plugin(*this, *host, registrar);
            define_(plugin);
            return FQ_OK;
        } catch (const std::exception& exception) {
            tasks_.clear();
            detail::write_init_error(error, error_size, exception.what());
        } catch (...) {
            tasks_.clear();
            detail::write_init_error(error, error_size,
                                     "init threw an exception not derived from std::exception");
        }
        return FQ_ERROR;
    }

    // The descriptor's shutdown: releases every task. Never throws.
    void shutdown() noexcept { tasks_.clear(); }

private:
    friend class Registrar;
    DefineFn define_;
    std::vector<std::unique_ptr<detail::TaskBase>> tasks_;  // written only during init
};

template <class Fn>
Registrar& Registrar::task(std::string name, std::string description, Fn&& fn,
                           std::vector<std::string> parameter_names, const TaskDefaults& defaults) {
    auto task = detail::make_task<std::decay_t<Fn>>(*host_, name, std::forward<Fn>(fn),
                                                    std::move(parameter_names));
    register_def(name, description, &detail::task_trampoline, task.get(), defaults);
    plugin_->tasks_.push_back(std::move(task));
    return *this;
}

inline Registrar& Registrar::raw_task(const std::string& name, const std::string& description,
                                      fq_task_handler handler, void* user_data,
                                      const TaskDefaults& defaults) {
    register_def(name, description, handler, user_data, defaults);
    return *this;
}

inline void Registrar::register_def(const std::string& name, const std::string& description,
                                    fq_task_handler handler, void* user_data,
                                    const TaskDefaults& defaults) {
    const auto timeout_ms = defaults.timeout.count();
    if (timeout_ms < 0 || timeout_ms > static_cast<long long>(UINT32_MAX))
        throw std::invalid_argument("task '" + name + "': default timeout of " +
                                    std::to_string(timeout_ms) +
                                    " ms is out of range (0 to 4294967295 ms)");
    fq_task_def def{};
    def.struct_size = sizeof(fq_task_def);
    def.flags = FQ_TASK_FLAGS_NONE;
    def.name = name.c_str();
    def.handler = handler;
    def.user_data = user_data;
    def.description = description.empty() ? nullptr : description.c_str();
    def.timeout_ms = static_cast<std::uint32_t>(timeout_ms);
    const int status = host_->register_task(registrar_, &def);
    if (status == FQ_OK) return;
    std::string reason = "status " + std::to_string(status);
    if (status == FQ_ERROR_DUPLICATE) reason = "a task with this name is already registered";
    if (status == FQ_ERROR_INVALID_ARGUMENT) reason = "invalid name, handler or flags";
    if (status == FQ_ERROR_STATE) reason = "registration is closed";
    throw std::runtime_error("cannot register task '" + name + "': " + reason);
}

}  // namespace fastqueue::plugin

// Defines the plugin's entry function and descriptor; the braced body that
// follows registers tasks through `plugin` (a fastqueue::plugin::Registrar&).
// Use once per plugin, at global scope. name and version must be string
// literals (the descriptor keeps pointers to them).
#define FASTQUEUE_PLUGIN(plugin_name, plugin_version)                                         \
    static void fastqueue_plugin_define_(::fastqueue::plugin::Registrar& plugin);             \
    namespace {                                                                               \
    ::fastqueue::plugin::Plugin fastqueue_plugin_state_(&fastqueue_plugin_define_);           \
    int fastqueue_plugin_init_(const fq_host_api* host, fq_registrar* registrar, char* error, \
                               size_t error_size) {                                           \
        return fastqueue_plugin_state_.init(host, registrar, error, error_size);              \
    }                                                                                         \
    void fastqueue_plugin_shutdown_() { fastqueue_plugin_state_.shutdown(); }                 \
    const fq_plugin_descriptor fastqueue_plugin_descriptor_ = {sizeof(fq_plugin_descriptor),  \
                                                               FQ_PLUGIN_ABI_MAJOR,           \
                                                               FQ_PLUGIN_ABI_MINOR,           \
                                                               plugin_name,                   \
                                                               plugin_version,                \
                                                               &fastqueue_plugin_init_,       \
                                                               &fastqueue_plugin_shutdown_};  \
    }                                                                                         \
    FQ_PLUGIN_ENTRY { return &fastqueue_plugin_descriptor_; }                                 \
    static void fastqueue_plugin_define_(::fastqueue::plugin::Registrar& plugin)
