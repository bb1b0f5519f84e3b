// The table audit's harness: virtops' tables against reference tables
// written from other projects' headers (Linux, Bochs, Xen). Only numbers
// and the peers' identifiers are carried over, as data; each row says which
// virtops name the peer's entry is, by the meaning of the entry, so a row is
// a claim "the peer's X is virtops' y, at this number", checked both ways.
// docs/tables.md has the method, the sources and the disagreements.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace audit {

inline int failures = 0;
inline int checks = 0;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
inline void
fail(const char* fmt, ...) {
  ++failures;
  std::fputs("FAIL: ", stdout);
  va_list ap;
  va_start(ap, fmt);
  std::vprintf(fmt, ap);
  va_end(ap);
  std::fputc('\n', stdout);
}

enum class kind {
  named,     ///< the peer's entry is virtops' `ours` at every number in [lo, hi]
  reserved,  ///< the peer calls the number reserved: virtops must name nothing there
  omitted,   ///< virtops leaves the peer's entry out on purpose; `why` says why
};

struct row {
  std::uint64_t lo, hi;
  std::string peer_name;
  std::string ours;
  kind k;
  std::string why;
};

#define AUDIT_ROW(n, peer, ours) \
  ::audit::row { (n), (n), (peer), (ours), ::audit::kind::named, "" }
#define AUDIT_RANGE(lo, hi, peer, ours) \
  ::audit::row { (lo), (hi), (peer), (ours), ::audit::kind::named, "" }
#define AUDIT_RESERVED(n, peer) \
  ::audit::row { (n), (n), (peer), "", ::audit::kind::reserved, "" }
#define AUDIT_OMIT(n, peer, why) \
  ::audit::row { (n), (n), (peer), "", ::audit::kind::omitted, (why) }
#define AUDIT_OMIT_RANGE(lo, hi, peer, why) \
  ::audit::row { (lo), (hi), (peer), "", ::audit::kind::omitted, (why) }

/// One peer's table of one kind of number.
struct peer {
  const char* who;     ///< "Linux", "Bochs", "Xen"
  const char* source;  ///< repository, commit and file the numbers were read from
  std::vector<row> rows;
};

/// A virtops entry that no peer table carries, with where it was checked instead.
struct sole_source {
  std::uint64_t number;
  std::string ours;
  const char* why;
};

/// The virtops name of a number, or "" if virtops names nothing there.
using lookup = std::string (*)(std::uint64_t);

/// Checks one virtops table against the peers' tables:
///  1. every named peer row: virtops names each of its numbers `ours`;
///     every reserved or omitted row: virtops names nothing there;
///  2. every virtops name used at a single number: each peer row that maps
///     to that name has that number;
///  3. every number of `domain` virtops names is covered by a named peer row
///     or listed in `sole` (with its reason); `sole` entries that a peer now
///     covers, or that virtops no longer names, are stale and fail too.
inline void check_table(const char* table, lookup name, const std::vector<std::uint64_t>& domain,
                        const std::vector<peer>& peers, const std::vector<sole_source>& sole,
                        bool decimal = false) {
  const int failures_before = failures;
  // The SDM numbers exit reasons and VM-instruction errors in decimal.
  char buf[2][32];
  int which = 0;
  const auto num = [&](std::uint64_t n) {
    which ^= 1;
    std::snprintf(buf[which], sizeof buf[which], decimal ? "%llu" : "%#llx",
                  static_cast<unsigned long long>(n));
    return buf[which];
  };
  // 1. Peer to virtops.
  std::size_t named_rows = 0, reserved_rows = 0, omitted_rows = 0;
  for (const peer& p : peers) {
    for (const row& r : p.rows) {
      if (r.k == kind::named) ++named_rows;
      if (r.k == kind::reserved) ++reserved_rows;
      if (r.k == kind::omitted) ++omitted_rows;
      for (std::uint64_t n = r.lo;; ++n) {
        const std::string got = name(n);
        ++checks;
        if (r.k == kind::named && got != r.ours)
          fail("%s %s: %s %s is '%s'; virtops names %s %s%s%s", table, num(n), p.who,
               r.peer_name.c_str(), r.ours.c_str(), num(n), got.empty() ? "nothing" : "'",
               got.c_str(), got.empty() ? "" : "'");
        if (r.k == kind::reserved && !got.empty())
          fail("%s %s: %s %s says reserved; virtops names it '%s'", table, num(n), p.who,
               r.peer_name.c_str(), got.c_str());
        if (r.k == kind::omitted && !got.empty())
          fail(
              "%s %s: %s %s is listed as omitted (%s), but virtops names it '%s': "
              "make it a named row",
              table, num(n), p.who, r.peer_name.c_str(), r.why.c_str(), got.c_str());
        if (n == r.hi) break;
      }
    }
  }
  // Virtops' own table over the domain.
  std::map<std::string, std::vector<std::uint64_t>> numbers_of;
  for (std::uint64_t n : domain) {
    const std::string got = name(n);
    if (!got.empty()) numbers_of[got].push_back(n);
  }
  // 2. Virtops name to number.
  for (const auto& [ours, nums] : numbers_of) {
    if (nums.size() != 1) continue;  // a range's name ("cr_read", "reserved", ...)
    for (const peer& p : peers)
      for (const row& r : p.rows) {
        ++checks;
        if (r.k == kind::named && r.ours == ours && r.lo == r.hi && r.lo != nums[0])
          fail("%s '%s': virtops has %s, %s %s is %s", table, ours.c_str(), num(nums[0]), p.who,
               r.peer_name.c_str(), num(r.lo));
      }
  }
  // 3. Every virtops entry is checked against a peer, or says why not.
  std::size_t entries = 0, sole_used = 0;
  std::vector<bool> used(sole.size());
  for (std::uint64_t n : domain) {
    const std::string got = name(n);
    if (got.empty()) continue;
    ++entries;
    bool covered = false;
    for (const peer& p : peers)
      for (const row& r : p.rows)
        covered = covered || (r.k == kind::named && r.lo <= n && n <= r.hi);
    if (covered) continue;
    bool listed = false;
    for (std::size_t i = 0; i < sole.size(); ++i)
      if (sole[i].number == n && sole[i].ours == got) listed = true, used[i] = true;
    ++checks;
    if (listed)
      ++sole_used;
    else
      fail(
          "%s %s '%s': no peer table carries it and it is not listed as checked against "
          "the SDM/APM alone",
          table, num(n), got.c_str());
  }
  for (std::size_t i = 0; i < sole.size(); ++i) {
    ++checks;
    if (!used[i])
      fail(
          "%s %s '%s': listed as SDM/APM-only, but virtops does not name it so or a peer "
          "now carries it: update the list",
          table, num(sole[i].number), sole[i].ours.c_str());
  }
  std::printf(
      "%-26s %4zu virtops entries; %zu peer rows named, %zu reserved, %zu omitted; "
      "%zu SDM/APM-only; %d failures\n",
      table, entries, named_rows, reserved_rows, omitted_rows, sole_used,
      failures - failures_before);
}

/// The numbers 0..n-1.
inline std::vector<std::uint64_t> iota(std::uint64_t n) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < n; ++i) v.push_back(i);
  return v;
}

inline int report(const char* what) {
  std::printf("%s: %d checks, %d failures\n", what, checks, failures);
  return failures == 0 ? 0 : 1;
}

// Named constants (bits, MSR numbers, offsets): each peer row maps the
// peer's number to a virtops constant (compared by value); each virtops
// constant must be some peer's row, or be listed with the reason no peer
// has it (checked against the SDM/APM alone).
struct constant {
  const char* who;
  const char* peer_name;
  std::uint64_t peer_value;
  const char* ours;  ///< nullptr: omitted, `why` says why
  std::uint64_t ours_value;
  const char* why;
};
struct ours_constant {
  const char* name;
  std::uint64_t value;
};
struct sole_constant {
  const char* name;
  const char* why;
};

inline void check_constants(const char* table, const std::vector<constant>& rows,
                            const std::vector<ours_constant>& ours,
                            const std::vector<sole_constant>& sole = {}) {
  const int before = audit::failures;
  std::size_t named = 0, omitted = 0, sole_used = 0;
  for (const constant& r : rows) {
    ++audit::checks;
    if (r.ours) {
      ++named;
      if (r.peer_value != r.ours_value)
        audit::fail("%s %s: virtops has %#llx, %s %s is %#llx", table, r.ours,
                    static_cast<unsigned long long>(r.ours_value), r.who, r.peer_name,
                    static_cast<unsigned long long>(r.peer_value));
    } else {
      ++omitted;
      for (const ours_constant& o : ours)
        if (o.value == r.peer_value)
          audit::fail("%s %#llx: %s %s is listed as omitted (%s), but virtops has %s", table,
                      static_cast<unsigned long long>(r.peer_value), r.who, r.peer_name, r.why,
                      o.name);
    }
  }
  for (std::size_t i = 0; i < ours.size(); ++i) {
    for (std::size_t j = i + 1; j < ours.size(); ++j)
      if (ours[i].value == ours[j].value)
        audit::fail("%s: %s and %s are both %#llx", table, ours[i].name, ours[j].name,
                    static_cast<unsigned long long>(ours[i].value));
    bool covered = false;
    for (const constant& r : rows)
      covered = covered || (r.ours && std::strcmp(r.ours, ours[i].name) == 0);
    bool listed = false;
    for (const sole_constant& s : sole) listed = listed || std::strcmp(s.name, ours[i].name) == 0;
    ++audit::checks;
    if (covered && listed)
      audit::fail("%s %s: listed as SDM/APM-only, but a peer row now carries it", table,
                  ours[i].name);
    else if (!covered && !listed)
      audit::fail(
          "%s %s (%#llx): no peer row carries it and it is not listed as checked against "
          "the SDM/APM alone",
          table, ours[i].name, static_cast<unsigned long long>(ours[i].value));
    sole_used += listed;
  }
  for (const constant& r : rows) {
    bool known = !r.ours;
    for (const ours_constant& o : ours) known = known || std::strcmp(o.name, r.ours) == 0;
    if (!known)
      audit::fail("%s: the peer row for %s names %s, which the list of virtops' constants lacks",
                  table, r.peer_name, r.ours);
  }
  std::printf(
      "%-26s %4zu virtops entries; %zu peer rows named, %zu omitted; %zu SDM/APM-only; "
      "%d failures\n",
      table, ours.size(), named, omitted, sole_used, audit::failures - before);
}

}  // namespace audit
