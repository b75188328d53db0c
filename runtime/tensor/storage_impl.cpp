#include "storage_impl.h"

#include <atomic>
#include <utility>

#include "backend.h"

namespace aliasguard::detail {

namespace {
std::atomic<std::uint64_t> next_storage_id{1};
}  // namespace

StorageImpl::StorageImpl(std::size_t nbytes, Device device, bool zero_fill)
    : nbytes_(nbytes),
      device_(device),
      id_(next_storage_id.fetch_add(1, std::memory_order_relaxed)),
      backend_(&backend_for(device))
#if AG_CHECKED
      ,
      tracked_(nbytes, device.is_cuda() ? 1 : 0, device.index())
#endif
{
  data_ = backend_->allocate(nbytes, device.index(), zero_fill);
}

StorageImpl::StorageImpl(std::size_t nbytes, Device device, std::shared_ptr<void> block, void* data)
    : data_(data),
      nbytes_(nbytes),
      device_(device),
      id_(next_storage_id.fetch_add(1, std::memory_order_relaxed)),
      backend_(&backend_for(device)),
      block_(std::move(block))
#if AG_CHECKED
      ,
      tracked_(nbytes, device.is_cuda() ? 1 : 0, device.index())
#endif
{
}

StorageImpl::~StorageImpl() {
  if (!block_) backend_->deallocate(data_, nbytes_, device_.index());
}

}  // namespace aliasguard::detail
