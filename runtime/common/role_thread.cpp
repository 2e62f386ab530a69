// role_thread.cpp -- see role_thread.hpp.
#include "common/role_thread.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace fastqueue {

RoleThread::~RoleThread() {
    request_stop();
    join();
}

void RoleThread::start(std::string role_name, std::function<void()> loop,
                       std::function<void()> after_loop) {
    thread_ = std::thread([this, role_name = std::move(role_name), loop = std::move(loop),
                           after_loop = std::move(after_loop)] {
        try {
            loop();
        } catch (const std::exception& error) {
            spdlog::critical("{} I/O loop failed: {}", role_name, error.what());
        }
        after_loop();
        is_finished_ = true;
    });
}

void RoleThread::request_stop() {
    if (!is_stop_requested_.exchange(true)) stop_doorbell_.ring();
}

void RoleThread::join() {
    if (thread_.joinable()) thread_.join();
}

}  // namespace fastqueue
