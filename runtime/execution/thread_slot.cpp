// thread_slot.cpp -- the SlotRunner of thread isolation (slot_runner.hpp).
#include "execution/handler_call.hpp"
#include "execution/slot_runner.hpp"

namespace fastqueue {

namespace {

class ThreadSlot final : public SlotRunner {
public:
    bool is_ready() const override { return true; }
    bool make_ready(const StopAwareWait& /*wait*/) override { return true; }
    void run(const RegisteredTask& entry, fq_task_context& context, const zmq::message_t& payload,
             TaskOutcome& outcome) override {
        run_handler(entry, context, payload.data(), payload.size(), outcome);
    }
};

}  // namespace

std::unique_ptr<SlotRunner> make_thread_slot() { return std::make_unique<ThreadSlot>(); }

}  // namespace fastqueue
