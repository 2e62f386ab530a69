// executor_channel_test.cpp -- the framing between a role and its executors
// (runtime/execution/executor_channel.cpp): messages survive a round trip
// byte for byte, whatever their parts and however the kernel splits the
// transfer; a peer that goes away reads as `closed`; and check_header
// refuses every header a broken peer could send, before any body is read.
//
// Every socket here has send and receive timeouts, so a broken channel
// fails a test instead of hanging it.
#include "execution/executor_channel.hpp"

#include <doctest/doctest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "fastqueue/task.hpp"

using namespace std::chrono_literals;

namespace fastqueue::executor {
namespace {

// A connected AF_UNIX stream pair with small buffers (so that a large
// message takes many transfers) and 10 s timeouts on both ends.
class ChannelPair {
public:
    ChannelPair() {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_) == 0);
        for (int fd : fds_) {
            const int buffer_bytes = 4096;
            ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
            const timeval timeout{10, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        }
    }
    ~ChannelPair() {
        close_writer();
        close_reader();
    }
    ChannelPair(const ChannelPair&) = delete;
    ChannelPair& operator=(const ChannelPair&) = delete;

    int writer() const { return fds_[0]; }
    int reader() const { return fds_[1]; }
    void close_writer() { close_end(0); }
    void close_reader() { close_end(1); }

private:
    void close_end(int index) {
        if (fds_[index] >= 0) ::close(fds_[index]);
        fds_[index] = -1;
    }
    int fds_[2] = {-1, -1};
};

// A message as the reader ends up with it.
struct ReceivedMessage {
    IoStatus status = IoStatus::failed;
    std::string refused;  // check_header's reason when it refused the header
    Header header;
    std::string text;
    std::string name;
    std::string data;
};

// Reads one message the way the role and the executor do: the header,
// check_header, then the body straight into buffers of the sizes it names.
// Asserts nothing, so that a caller with a writer thread can join it first.
ReceivedMessage receive_message(int fd, const ChannelLimits& limits) {
    ReceivedMessage message;
    message.status = receive_header(fd, message.header);
    if (message.status != IoStatus::ok) return message;
    if (auto problem = check_header(message.header, limits)) {
        message.refused = *problem;
        return message;
    }
    message.text.assign(message.header.text_size, '\0');
    message.name.assign(message.header.name_size, '\0');
    message.data.assign(message.header.data_size, '\0');
    iovec parts[] = {{message.text.data(), message.text.size()},
                     {message.name.data(), message.name.size()},
                     {message.data.data(), message.data.size()}};
    message.status = receive_exact(fd, parts, 3);
    return message;
}

Header run_header(std::uint64_t run, const std::string& text, const std::string& name,
                  const std::string& data) {
    Header header = make_header(MessageType::run, run);
    header.text_size = static_cast<std::uint32_t>(text.size());
    header.name_size = static_cast<std::uint32_t>(name.size());
    header.data_size = data.size();
    return header;
}

IoStatus send_parts(int fd, const Header& header, const std::string& text, const std::string& name,
                    const std::string& data) {
    const iovec parts[] = {{const_cast<char*>(text.data()), text.size()},
                           {const_cast<char*>(name.data()), name.size()},
                           {const_cast<char*>(data.data()), data.size()}};
    return send_message(fd, header, parts, 3);
}

// Bytes that differ from their neighbours, so that a part shifted, cut or
// joined in the wrong place cannot compare equal.
std::string patterned_bytes(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + i / 4099) % 251);
    return bytes;
}

constexpr std::size_t kSixteenMiB = 16 * 1024 * 1024;
const ChannelLimits kExecutorReads{false, kSixteenMiB};
const ChannelLimits kRoleReads{true, kSixteenMiB};

// Interrupts the threads given with a signal whose handler does nothing
// and is installed without SA_RESTART, so their sendmsg and recvmsg calls
// return early (EINTR, or a partial count), until stopped. Restores the
// previous handler when destroyed.
class InterruptingSignals {
public:
    static constexpr int kSignal = SIGUSR2;

    InterruptingSignals() {
        delivered();  // its counter exists before the handler can run
        struct sigaction action {};
        action.sa_handler = [](int) { delivered().fetch_add(1); };
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;  // no SA_RESTART: interrupted calls return
        ::sigaction(kSignal, &action, &previous_);
    }
    ~InterruptingSignals() {
        stop();
        ::sigaction(kSignal, &previous_, nullptr);
    }
    InterruptingSignals(const InterruptingSignals&) = delete;
    InterruptingSignals& operator=(const InterruptingSignals&) = delete;

    // Signals `first` and `second` every 50 us until stop(); both must stay
    // joinable until then.
    void start(pthread_t first, pthread_t second) {
        pinger_ = std::thread([this, first, second] {
            // Bounded: the test's transfer ends within its socket timeouts.
            const auto deadline = std::chrono::steady_clock::now() + 60s;
            while (!is_stopping_.load() && std::chrono::steady_clock::now() < deadline) {
                ::pthread_kill(first, kSignal);
                ::pthread_kill(second, kSignal);
                std::this_thread::sleep_for(50us);
            }
        });
    }
    void stop() {
        is_stopping_.store(true);
        if (pinger_.joinable()) pinger_.join();
    }
    static std::atomic<std::uint64_t>& delivered() {
        static std::atomic<std::uint64_t> count{0};
        return count;
    }

private:
    struct sigaction previous_ {};
    std::atomic<bool> is_stopping_{false};
    std::thread pinger_;
};

TEST_CASE(
    "executor channel: a RUN with a 16 MiB payload arrives byte-exact through small socket "
    "buffers") {
    ChannelPair channel;
    const std::string task_id = "task-0001";
    const std::string name = "mytasks.echo";
    const std::string payload = patterned_bytes(kSixteenMiB);

    IoStatus sent = IoStatus::failed;
    std::thread writer([&] {
        sent = send_parts(channel.writer(), run_header(7, task_id, name, payload), task_id, name,
                          payload);
    });
    const ReceivedMessage received = receive_message(channel.reader(), kExecutorReads);
    writer.join();

    CHECK(sent == IoStatus::ok);
    CHECK(received.refused == "");
    REQUIRE(received.status == IoStatus::ok);
    CHECK(received.header.type == static_cast<std::uint16_t>(MessageType::run));
    CHECK(received.header.run == 7);
    CHECK(received.text == task_id);
    CHECK(received.name == name);
    CHECK(received.data.size() == payload.size());
    CHECK(received.data == payload);
}

TEST_CASE("executor channel: transfers interrupted by signals resume where they stopped") {
    ChannelPair channel;
    const std::string task_id = "interrupted";
    const std::string name = "mytasks.echo";
    const std::string payload = patterned_bytes(kSixteenMiB);

    InterruptingSignals signals;
    const auto delivered_before = InterruptingSignals::delivered().load();
    IoStatus sent = IoStatus::failed;
    std::thread writer([&] {
        sent = send_parts(channel.writer(), run_header(1, task_id, name, payload), task_id, name,
                          payload);
    });
    signals.start(::pthread_self(), writer.native_handle());
    const ReceivedMessage received = receive_message(channel.reader(), kExecutorReads);
    signals.stop();
    writer.join();

    CHECK(InterruptingSignals::delivered().load() > delivered_before);
    CHECK(sent == IoStatus::ok);
    CHECK(received.refused == "");
    REQUIRE(received.status == IoStatus::ok);
    CHECK(received.text == task_id);
    CHECK(received.name == name);
    CHECK(received.data == payload);
}

TEST_CASE("executor channel: empty parts, anywhere in the message, take no bytes") {
    ChannelPair channel;
    SUBCASE("all parts empty") {
        REQUIRE(send_parts(channel.writer(), run_header(1, "", "", ""), "", "", "") ==
                IoStatus::ok);
        const auto received = receive_message(channel.reader(), kExecutorReads);
        REQUIRE(received.status == IoStatus::ok);
        CHECK(received.text.empty());
        CHECK(received.name.empty());
        CHECK(received.data.empty());
    }
    SUBCASE("an empty name between text and data") {
        REQUIRE(send_parts(channel.writer(), run_header(2, "id", "", "payload"), "id", "",
                           "payload") == IoStatus::ok);
        const auto received = receive_message(channel.reader(), kExecutorReads);
        REQUIRE(received.status == IoStatus::ok);
        CHECK(received.text == "id");
        CHECK(received.name.empty());
        CHECK(received.data == "payload");
    }
    SUBCASE("empty text and name before data") {
        REQUIRE(send_parts(channel.writer(), run_header(3, "", "", "payload"), "", "", "payload") ==
                IoStatus::ok);
        const auto received = receive_message(channel.reader(), kExecutorReads);
        REQUIRE(received.status == IoStatus::ok);
        CHECK(received.data == "payload");
    }
}

TEST_CASE("executor channel: messages sent back to back are read one by one, none over-read") {
    ChannelPair channel;
    Header ready = make_header(MessageType::ready, 0);
    REQUIRE(send_message(channel.writer(), ready, nullptr, 0) == IoStatus::ok);

    Header progress = make_header(MessageType::progress, 4);
    progress.fraction = 0.25;
    const std::string message = "a quarter";
    progress.text_size = static_cast<std::uint32_t>(message.size());
    REQUIRE(send_parts(channel.writer(), progress, message, "", "") == IoStatus::ok);

    Header outcome = make_header(MessageType::outcome, 4);
    outcome.flags = static_cast<std::uint16_t>(TaskState::failure) | kRetryableFlag;
    const std::string error = "try again";
    const std::string result = "";
    outcome.text_size = static_cast<std::uint32_t>(error.size());
    REQUIRE(send_parts(channel.writer(), outcome, error, "", result) == IoStatus::ok);

    const auto first = receive_message(channel.reader(), kRoleReads);
    REQUIRE(first.status == IoStatus::ok);
    CHECK(first.header.type == static_cast<std::uint16_t>(MessageType::ready));

    const auto second = receive_message(channel.reader(), kRoleReads);
    REQUIRE(second.status == IoStatus::ok);
    CHECK(second.header.type == static_cast<std::uint16_t>(MessageType::progress));
    CHECK(second.header.run == 4);
    CHECK(second.header.fraction == 0.25);
    CHECK(second.text == message);

    const auto third = receive_message(channel.reader(), kRoleReads);
    REQUIRE(third.status == IoStatus::ok);
    CHECK(third.header.type == static_cast<std::uint16_t>(MessageType::outcome));
    CHECK((third.header.flags & 0xff) == static_cast<int>(TaskState::failure));
    CHECK((third.header.flags & kRetryableFlag) != 0);
    CHECK(third.text == error);
    CHECK(third.data.empty());
}

TEST_CASE("executor channel: a peer that closes before a message reads as closed") {
    ChannelPair channel;
    channel.close_writer();
    Header header;
    CHECK(receive_header(channel.reader(), header) == IoStatus::closed);
}

TEST_CASE("executor channel: a peer that closes part-way through a header reads as closed") {
    ChannelPair channel;
    const Header header = make_header(MessageType::ready, 0);
    REQUIRE(::write(channel.writer(), &header, 10) == 10);
    channel.close_writer();
    Header received;
    CHECK(receive_header(channel.reader(), received) == IoStatus::closed);
}

TEST_CASE("executor channel: a peer that closes part-way through a body reads as closed") {
    ChannelPair channel;
    const std::string payload = patterned_bytes(1000);
    const Header header = run_header(1, "id", "name", payload);
    // The header and part of the body, then the writer is gone.
    REQUIRE(::write(channel.writer(), &header, sizeof header) ==
            static_cast<ssize_t>(sizeof header));
    REQUIRE(::write(channel.writer(), "idname", 6) == 6);
    REQUIRE(::write(channel.writer(), payload.data(), 500) == 500);
    channel.close_writer();

    Header received;
    REQUIRE(receive_header(channel.reader(), received) == IoStatus::ok);
    REQUIRE_FALSE(check_header(received, kExecutorReads).has_value());
    std::string text(received.text_size, '\0');
    std::string name(received.name_size, '\0');
    std::string data(received.data_size, '\0');
    iovec parts[] = {
        {text.data(), text.size()}, {name.data(), name.size()}, {data.data(), data.size()}};
    CHECK(receive_exact(channel.reader(), parts, 3) == IoStatus::closed);
}

TEST_CASE("executor channel: sending to a peer that closed is closed, without SIGPIPE") {
    ChannelPair channel;
    channel.close_reader();
    const std::string payload = patterned_bytes(64 * 1024);
    // A SIGPIPE would end the test process here.
    CHECK(send_parts(channel.writer(), run_header(1, "id", "echo", payload), "id", "echo",
                     payload) == IoStatus::closed);
}

// Headers for check_header: each valid as built, to be broken one field at
// a time.
Header valid_run() {
    Header header = make_header(MessageType::run, 1);
    header.text_size = 8;
    header.name_size = 4;
    header.data_size = 100;
    return header;
}

Header valid_progress(double fraction) {
    Header header = make_header(MessageType::progress, 1);
    header.text_size = 5;
    header.fraction = fraction;
    return header;
}

Header valid_outcome(TaskState state, bool is_retryable = false) {
    Header header = make_header(MessageType::outcome, 1);
    header.flags = static_cast<std::uint16_t>(static_cast<std::uint16_t>(state) |
                                              (is_retryable ? kRetryableFlag : std::uint16_t{0}));
    header.text_size = 3;
    header.data_size = 100;
    return header;
}

// Readers for check_header, both with a data limit of 1000 bytes.
const ChannelLimits kRoleChecks{true, 1000};
const ChannelLimits kExecutorChecks{false, 1000};

// The refusal of `header` by a reader with `limits`; "" when it is accepted.
std::string refusal(const Header& header, const ChannelLimits& limits) {
    return check_header(header, limits).value_or("");
}

TEST_CASE("check_header: accepts each valid message on the side that reads it") {
    CHECK(refusal(make_header(MessageType::ready, 0), kRoleChecks) == "");
    CHECK(refusal(valid_run(), kExecutorChecks) == "");
    for (double fraction : {0.0, 0.5, 1.0}) {
        CAPTURE(fraction);
        CHECK(refusal(valid_progress(fraction), kRoleChecks) == "");
    }
    for (TaskState state : {TaskState::success, TaskState::failure, TaskState::cancelled}) {
        CAPTURE(to_string(state));
        CHECK(refusal(valid_outcome(state), kRoleChecks) == "");
        CHECK(refusal(valid_outcome(state, true), kRoleChecks) == "");
    }

    Header longest_run = valid_run();
    longest_run.text_size = kMaxTextBytes;
    longest_run.name_size = kMaxNameBytes;
    longest_run.data_size = 1000;
    CHECK(refusal(longest_run, kExecutorChecks) == "");
    Header longest_outcome = valid_outcome(TaskState::failure);
    longest_outcome.text_size = kMaxTextBytes;
    longest_outcome.data_size = 1000;
    CHECK(refusal(longest_outcome, kRoleChecks) == "");
}

TEST_CASE("check_header: refuses a bad magic number and unknown message types") {
    Header header = make_header(MessageType::ready, 0);
    header.magic = 0x31585147;
    CHECK(refusal(header, kRoleChecks) == "bad magic number");
    header.magic = 0;
    CHECK(refusal(header, kRoleChecks) == "bad magic number");

    for (std::uint16_t type : {0, 5, 0xffff}) {
        CAPTURE(type);
        Header unknown = make_header(MessageType::ready, 0);
        unknown.type = type;
        CHECK(refusal(unknown, kRoleChecks) == "unknown message type " + std::to_string(type));
        CHECK(refusal(unknown, kExecutorChecks) == "unknown message type " + std::to_string(type));
    }
}

TEST_CASE("check_header: refuses a message type read on the wrong side") {
    CHECK(refusal(valid_run(), kRoleChecks) == "message type 2 sent the wrong way");
    CHECK(refusal(make_header(MessageType::ready, 0), kExecutorChecks) ==
          "message type 1 sent the wrong way");
    CHECK(refusal(valid_progress(0.5), kExecutorChecks) == "message type 3 sent the wrong way");
    CHECK(refusal(valid_outcome(TaskState::success), kExecutorChecks) ==
          "message type 4 sent the wrong way");
}

TEST_CASE("check_header: refuses text, names and data over their limits") {
    Header long_text = valid_outcome(TaskState::failure);
    long_text.text_size = kMaxTextBytes + 1;
    CHECK(refusal(long_text, kRoleChecks) == "text of 65537 bytes");
    Header long_id = valid_run();
    long_id.text_size = std::numeric_limits<std::uint32_t>::max();
    CHECK(refusal(long_id, kExecutorChecks) == "text of 4294967295 bytes");

    Header long_name = valid_run();
    long_name.name_size = kMaxNameBytes + 1;
    CHECK(refusal(long_name, kExecutorChecks) == "name of 1025 bytes");

    Header big_payload = valid_run();
    big_payload.data_size = 1001;
    CHECK(refusal(big_payload, kExecutorChecks) == "data of 1001 bytes (limit 1000)");
    Header big_result = valid_outcome(TaskState::success);
    big_result.data_size = std::numeric_limits<std::uint64_t>::max();
    CHECK(refusal(big_result, kRoleChecks) == "data of 18446744073709551615 bytes (limit 1000)");
}

TEST_CASE("check_header: refuses a name on anything but RUN and data on READY or PROGRESS") {
    Header named_ready = make_header(MessageType::ready, 0);
    named_ready.name_size = 1;
    CHECK(refusal(named_ready, kRoleChecks) == "name of 1 bytes");
    Header named_progress = valid_progress(0.5);
    named_progress.name_size = 1;
    CHECK(refusal(named_progress, kRoleChecks) == "name of 1 bytes");
    Header named_outcome = valid_outcome(TaskState::success);
    named_outcome.name_size = 4;
    CHECK(refusal(named_outcome, kRoleChecks) == "name of 4 bytes");

    Header progress_with_data = valid_progress(0.5);
    progress_with_data.data_size = 1;
    CHECK(refusal(progress_with_data, kRoleChecks) == "data of 1 bytes (limit 0)");
    Header ready_with_data = make_header(MessageType::ready, 0);
    ready_with_data.data_size = 1;
    CHECK(refusal(ready_with_data, kRoleChecks) == "data of 1 bytes (limit 0)");
}

TEST_CASE("check_header: refuses a progress fraction that is not a number in [0, 1]") {
    for (double fraction :
         {std::nan(""), -0.01, -1.0, 1.0001, 2.0, std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity()}) {
        CAPTURE(fraction);
        CHECK(refusal(valid_progress(fraction), kRoleChecks) == "progress fraction outside [0, 1]");
    }
}

TEST_CASE("check_header: refuses outcome flags without an end state or with unknown bits") {
    for (TaskState state : {TaskState::queued, TaskState::running, TaskState::scheduled}) {
        CAPTURE(to_string(state));
        const Header header = valid_outcome(state);
        CHECK(refusal(header, kRoleChecks) == "bad outcome flags " + std::to_string(header.flags));
        const Header retryable = valid_outcome(state, true);
        CHECK(refusal(retryable, kRoleChecks) ==
              "bad outcome flags " + std::to_string(retryable.flags));
    }
    Header beyond_states = valid_outcome(TaskState::success);
    beyond_states.flags = 6;
    CHECK(refusal(beyond_states, kRoleChecks) == "bad outcome flags 6");
    for (std::uint16_t bit : {0x200, 0x400, 0x8000}) {
        CAPTURE(bit);
        Header unknown_bit = valid_outcome(TaskState::success);
        unknown_bit.flags |= bit;
        CHECK(refusal(unknown_bit, kRoleChecks) ==
              "bad outcome flags " + std::to_string(unknown_bit.flags));
    }
}

TEST_CASE("check_header: refuses flags on RUN, READY and PROGRESS") {
    Header run = valid_run();
    run.flags = static_cast<std::uint16_t>(TaskState::success);
    CHECK(refusal(run, kExecutorChecks) == "flags on a message that has none");
    Header retryable_run = valid_run();
    retryable_run.flags = kRetryableFlag;
    CHECK(refusal(retryable_run, kExecutorChecks) == "flags on a message that has none");
    Header ready = make_header(MessageType::ready, 0);
    ready.flags = 1;
    CHECK(refusal(ready, kRoleChecks) == "flags on a message that has none");
    Header progress = valid_progress(0.5);
    progress.flags = kRetryableFlag;
    CHECK(refusal(progress, kRoleChecks) == "flags on a message that has none");
}

}  // namespace
TEST_CASE(
    "executor channel: the buffered reader takes small RUNs that arrived together and large "
    "payloads whole, in order") {
    // The socket buffers are the OS defaults here, so that the small
    // messages arrive together and one read takes several of them.
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    const std::vector<std::string> payloads = {
        "[1]", "", patterned_bytes(200 * 1024), "[2]", patterned_bytes(70 * 1024), "[3]"};
    std::thread writer([&] {
        for (std::size_t i = 0; i < payloads.size(); ++i) {
            const std::string id = "task-" + std::to_string(i);
            send_parts(fds[0], run_header(i + 1, id, "echo", payloads[i]), id, "echo", payloads[i]);
        }
        ::close(fds[0]);
    });
    BufferedReader reader(fds[1]);
    std::vector<std::string> received;
    IoStatus last = IoStatus::ok;
    for (std::size_t i = 0; i <= payloads.size(); ++i) {  // one more: the close
        Header header;
        last = reader.receive_header(header);
        if (last != IoStatus::ok) break;
        REQUIRE_FALSE(check_header(header, kExecutorReads).has_value());
        CHECK(header.run == i + 1);
        std::string id(header.text_size, '\0'), name(header.name_size, '\0'),
            data(header.data_size, '\0');
        iovec parts[] = {
            {id.data(), id.size()}, {name.data(), name.size()}, {data.data(), data.size()}};
        last = reader.receive_exact(parts, 3);
        if (last != IoStatus::ok) break;
        CHECK(id == "task-" + std::to_string(i));
        CHECK(name == "echo");
        received.push_back(std::move(data));
    }
    writer.join();
    ::close(fds[1]);
    CHECK(last == IoStatus::closed);
    REQUIRE(received.size() == payloads.size());
    for (std::size_t i = 0; i < payloads.size(); ++i) CHECK(received[i] == payloads[i]);
}

}  // namespace fastqueue::executor
