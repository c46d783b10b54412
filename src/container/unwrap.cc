#include "lucompat/container/unwrap.h"

#include <fmt/format.h>

#include "container/probe.h"
#include "lucompat/container/pe.h"

namespace lucompat {
void OutputBudget::charge(uint64_t bytes) {
  const uint64_t before = used_.fetch_add(bytes, std::memory_order_relaxed);
  if (bytes > limit_ || before > limit_ - bytes)
    fail(ErrorKind::limit, std::nullopt,
         fmt::format("decompresses to more than the {}-byte limit (--max-output), all its "
                     "layers and members together",
                     limit_));
}

Error relocate(Error e, const Unwrapped& u) {
  // An error that names its own data (a stream nested in a stream) is about it.
  if (!e.context.empty()) return e;
  if (e.offset) *e.offset += u.base;
  e.context = u.context;
  return e;
}

Unwrapped unwrap(Bytes input, const UnwrapOptions& options) {
  return unwrap_with(input, options, container_probes());
}

Unwrapped unwrap_with(Bytes input, const UnwrapOptions& given,
                      std::span<const ContainerProbe* const> probes) {
  UnwrapOptions options = given;
  if (!options.budget) options.budget = std::make_shared<OutputBudget>(options.max_output);
  Unwrapped u;
  Bytes data = input;
  Bytes owner = input;  // the buffer `data` lies in: the input or a decompressed one
  const SparseBuffer* sparse = nullptr;  // owns `owner` when it was decompressed
  const auto finish = [&](Innermost kind) {
    u.kind = kind;
    u.bytes = data;
    u.base = static_cast<uint64_t>(data.data() - owner.data());
    u.present.clear();
    if (sparse != nullptr)
      for (const ByteRange& r : clip_to_present({u.base, data.size()}, sparse->present()))
        u.present.push_back({r.offset - u.base, r.size});
    return std::move(u);
  };
  for (;;) {
    u.bytes = data;
    u.base = static_cast<uint64_t>(data.data() - owner.data());
    if (options.rules != nullptr && options.rules->is_file(data)) return finish(Innermost::file);
    const ProbeContext context{options, has_pe_signature(data), static_cast<int>(u.chain.size()),
                               probes};
    std::optional<Step> step;
    const ContainerProbe* found = nullptr;
    try {
      for (const ContainerProbe* p : probes)
        if ((step = p->probe(data, context))) {
          found = p;
          break;
        }
    } catch (const ParseError& e) {
      throw ParseError(relocate(e.error(), u));
    }
    if (!step) return finish(Innermost::raw);
    (step->outer ? step->outer->kind : step->layer.kind) = found->kind;
    const size_t adding = (step->outer ? 2 : 1) + step->nested.size();
    if (u.chain.size() + adding > static_cast<size_t>(options.max_depth))
      fail(ErrorKind::limit, std::nullopt,
           fmt::format("containers are nested more than {} deep (the --max-depth limit)",
                       options.max_depth));
    if (!step->version_hint.empty() && u.version_hint.empty()) u.version_hint = step->version_hint;
    if (step->buffer) {
      // The layer before is not read again: `data` now lies in the new
      // buffer. Dropping it keeps one decompressed layer in memory, not all.
      u.buffers.assign(1, step->buffer);
      owner = step->inner;
      sparse = step->buffer.get();
      u.context = "in the data decompressed from " +
                  (step->nested.empty() ? step->layer.format : step->nested.back().format);
    }
    if (step->outer) u.chain.push_back(std::move(*step->outer));
    u.chain.push_back(std::move(step->layer));
    for (Layer& layer : step->nested) u.chain.push_back(std::move(layer));
    data = step->inner;
    u.cut = step->cut;
    if (step->raw_image) {
      u.raw_order = step->raw_order;
      u.raw_kind = found->kind;
      return finish(Innermost::raw);
    }
  }
}

}  // namespace lucompat
