// client_only.cpp -- a program built against the client library alone
// (FastQueue::client: common, protocol and transport). It is built, never
// run: if the client used a function that only a layer above it defines,
// this program would not link.
#include <cstdio>

#include "fastqueue/client.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CONTROL_PLANE_ADDRESS\n", argv[0]);
        return 2;
    }
    fastqueue::ClientOptions options;
    options.control_plane_address = argv[1];
    fastqueue::Client client(options);
    fastqueue::TaskRecord record = client.submit_and_wait("add", "{\"args\":[1,2]}");
    std::string task_id = client.submit("add", "{\"args\":[1,2]}");
    client.cancel(task_id);
    bool is_known = client.get(task_id).has_value();
    fastqueue::SubworkerPoolStatus status = client.get_subworker_status();
    std::printf("%s %d %zu\n", record.task_id.c_str(), is_known ? 1 : 0, status.total_subworkers);
    return 0;
}
