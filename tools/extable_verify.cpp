// virtops-extable-verify: checks the exception table of a linked x86-64 ELF
// or PE/COFF image (a PE32+ executable, DLL, driver or EFI application).
//
//   virtops-extable-verify [--list] [--allow-empty] [--expect-sites FILE]
//                          [--hot-path DISASSEMBLY] IMAGE
//
// For every entry of the virtops_extable section (in a PE image the merged
// virtops_extable$a/$m/$z, which lld names virtops_) it checks that the table is
// whole (a multiple of 12 bytes, 4-aligned), that the instruction id is
// known, that the bytes at the site are that instruction, that no
// site has two entries, and that the fixup lands in the site's function (or
// its .cold part), directly or through the register-file wrappers' fault
// stub, which restores the host registers and jumps there (function checks
// need a symbol table: ELF's, or a PE image's COFF symbols, which MinGW's
// ld.lld keeps and lld-link writes with /debug:symtab; a COFF symbol has no
// size, so a function ends where the next begins). With
// --expect-sites, FILE lists (in hex, one per line) the addresses of every
// virtualization instruction a disassembler found: each must have exactly
// one entry and every entry must be one of them. Every target of an entry
// must be in 32-bit reach of the table's first and last slot, so that the
// run-time sort can move entries (extable::table::sort()). With --hot-path,
// DISASSEMBLY is `objdump -d --no-show-raw-insn IMAGE`: for each site it shows,
// the instruction after it (after one jbe/jna for a VMX instruction) must be
// no jmp and no call, which a success path straight on from the site never
// has. Not for VMLAUNCH/VMRESUME, whose success enters the guest. Exit
// status: 0 when all checks pass, 1 when one fails, 2 on bad usage or an
// unreadable file.
#include <elf.h>

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>
#include <virtops/insn.hpp>

namespace {

using virtops::insn;

struct section {
  std::string name;
  std::uint64_t addr, offset, size;
  std::uint64_t file_size;  // bytes present in the file; the rest (.bss, a PE tail) reads as 0
  bool exec;
};

struct function {
  std::uint64_t addr, size;
  std::string name;
};

// What the checks need of a linked image, ELF or PE/COFF: its sections by
// address and its function symbols.
class image {
 public:
  bool load(const char* path, std::string& why) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return why = "cannot open", false;
    bytes_.assign(std::istreambuf_iterator<char>(in), {});
    bool ok;
    if (bytes_.size() >= SELFMAG && std::memcmp(bytes_.data(), ELFMAG, SELFMAG) == 0)
      ok = load_elf(why);
    else if (bytes_.size() >= 2 && bytes_[0] == 'M' && bytes_[1] == 'Z')
      ok = load_pe(why);
    else if (std::uint16_t machine; read(0, machine) && machine == k_amd64)
      return why = "a COFF object: link it first (offsets are resolved by the linker)", false;
    else
      return why = "not an ELF or PE/COFF file", false;
    if (!ok) return false;
    std::sort(functions_.begin(), functions_.end(),
              [](const function& a, const function& b) { return a.addr < b.addr; });
    return true;
  }

  const char* format() const { return pe_ ? "PE/COFF" : "ELF"; }

  // The exception table's section. ELF: virtops_extable. PE/COFF: the merged
  // virtops_extable$a/$m/$z, named virtops_extable when the image keeps long
  // names, else its first 8 characters (lld-link, and ld.lld -m i386pep for
  // sections other than debug ones).
  const section* table(std::string& why) const {
    if (const section* s = find_section("virtops_extable")) return s;
    if (!pe_) return nullptr;
    const section* found = nullptr;
    for (const section& s : sections_)
      if (s.name == "virtops_") {
        if (found != nullptr)
          return why = "two sections named virtops_: which is the table?", nullptr;
        found = &s;
      }
    return found;
  }

  // The loaded, executable section holding `addr`.
  const section* code_at(std::uint64_t addr) const {
    for (const section& s : sections_)
      if (s.exec && addr >= s.addr && addr - s.addr < s.size) return &s;
    return nullptr;
  }

  // Up to `n` bytes of code at `addr` (fewer at the end of its section).
  std::vector<std::uint8_t> code(std::uint64_t addr, std::size_t n) const {
    const section* s = code_at(addr);
    if (s == nullptr) return {};
    const std::uint64_t avail = std::min<std::uint64_t>(n, s->size - (addr - s->addr));
    std::vector<std::uint8_t> out(avail, 0);
    for (std::uint64_t i = 0; i < avail; ++i) {
      const std::uint64_t in = addr - s->addr + i;
      if (in >= s->file_size) break;
      if (s->offset + in >= bytes_.size()) return {};
      out[i] = bytes_[s->offset + in];
    }
    return out;
  }

  std::optional<std::vector<std::uint8_t>> contents(const section& s) const {
    if (s.offset > bytes_.size() || s.file_size > bytes_.size() - s.offset ||
        (!pe_ && s.file_size < s.size))  // ELF SHT_NOBITS
      return std::nullopt;
    std::vector<std::uint8_t> out(s.size, 0);
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(s.offset),
                std::min(s.size, s.file_size), out.begin());
    return out;
  }

  bool has_symbols() const { return !functions_.empty(); }

  // The function symbol whose [addr, addr+size) holds `addr`.
  const function* function_at(std::uint64_t addr) const {
    auto it = std::upper_bound(functions_.begin(), functions_.end(), addr,
                               [](std::uint64_t a, const function& f) { return a < f.addr; });
    while (it != functions_.begin()) {  // ranges may nest (aliases): look at all before addr
      --it;
      if (addr - it->addr < it->size) return &*it;
    }
    return nullptr;
  }

 private:
  static constexpr std::uint16_t k_amd64 = 0x8664;  // IMAGE_FILE_MACHINE_AMD64

  template <class T>
  bool read(std::uint64_t at, T& out) const {
    if (at > bytes_.size() || sizeof(T) > bytes_.size() - at) return false;
    std::memcpy(&out, bytes_.data() + at, sizeof(T));
    return true;
  }

  std::string string_at(std::uint64_t at, std::size_t max = SIZE_MAX) const {
    std::string s;
    while (at < bytes_.size() && bytes_[at] != 0 && s.size() < max)
      s.push_back(static_cast<char>(bytes_[at++]));
    return s;
  }

  const section* find_section(std::string_view name) const {
    for (const section& s : sections_)
      if (s.name == name) return &s;
    return nullptr;
  }

  bool load_elf(std::string& why) {
    Elf64_Ehdr eh;
    if (!read(0, eh)) return why = "too small for an ELF header", false;
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
      return why = "not an x86-64 ELF64 file", false;
    if (eh.e_type == ET_REL)
      return why = "a relocatable object: link it first (offsets are resolved by the linker)",
             false;
    Elf64_Shdr strtab_hdr;
    if (eh.e_shstrndx == SHN_UNDEF ||
        !read(eh.e_shoff + std::uint64_t{eh.e_shstrndx} * sizeof(Elf64_Shdr), strtab_hdr))
      return why = "no section header string table", false;
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
      Elf64_Shdr sh;
      if (!read(eh.e_shoff + std::uint64_t{i} * sizeof(Elf64_Shdr), sh))
        return why = "truncated section headers", false;
      sections_.push_back({string_at(strtab_hdr.sh_offset + sh.sh_name), sh.sh_addr, sh.sh_offset,
                           sh.sh_size, sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size,
                           (sh.sh_flags & SHF_EXECINSTR) != 0 && sh.sh_type == SHT_PROGBITS});
      if (sh.sh_type == SHT_SYMTAB) load_elf_functions(sh);
    }
    return true;
  }

  void load_elf_functions(const Elf64_Shdr& symtab) {
    // The symbol table's string table is the section at sh_link.
    Elf64_Ehdr eh;
    Elf64_Shdr strtab;
    if (!read(0, eh) ||
        !read(eh.e_shoff + std::uint64_t{symtab.sh_link} * sizeof(Elf64_Shdr), strtab))
      return;
    for (std::uint64_t at = symtab.sh_offset;
         at + sizeof(Elf64_Sym) <= symtab.sh_offset + symtab.sh_size; at += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      if (!read(at, sym)) return;
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_size == 0) continue;
      functions_.push_back({sym.st_value, sym.st_size, string_at(strtab.sh_offset + sym.st_name)});
    }
  }

  // A PE32+ image (Microsoft PE/COFF specification): DOS stub, "PE\0\0", the
  // COFF file header, the optional header, the section table. Addresses are
  // virtual addresses (ImageBase + RVA), as objdump shows them.
  bool load_pe(std::string& why) {
    std::uint32_t pe_at, signature;
    if (!read(0x3c, pe_at) || !read(pe_at, signature) || signature != 0x00004550)
      return why = "an MZ file without a PE header", false;
    const std::uint64_t fh = std::uint64_t{pe_at} + 4;
    std::uint16_t machine, nsections, opt_size, magic;
    std::uint32_t symtab, nsymbols;
    if (!read(fh, machine) || !read(fh + 2, nsections) || !read(fh + 8, symtab) ||
        !read(fh + 12, nsymbols) || !read(fh + 16, opt_size))
      return why = "truncated COFF file header", false;
    if (machine != k_amd64) return why = "not an x86-64 PE image", false;
    const std::uint64_t opt = fh + 20;
    std::uint64_t image_base;
    if (!read(opt, magic) || magic != 0x20b || !read(opt + 24, image_base))
      return why = "not a PE32+ image (optional header magic 0x20b)", false;
    pe_ = true;
    const std::uint64_t strings = std::uint64_t{symtab} + std::uint64_t{nsymbols} * 18;
    const std::uint64_t table = opt + opt_size;
    std::vector<std::uint64_t> section_va;
    for (unsigned i = 0; i < nsections; ++i) {
      const std::uint64_t h = table + std::uint64_t{i} * 40;
      char name[8];
      std::uint32_t vsize, va, raw_size, raw_at, flags;
      if (!read(h, name) || !read(h + 8, vsize) || !read(h + 12, va) || !read(h + 16, raw_size) ||
          !read(h + 20, raw_at) || !read(h + 36, flags))
        return why = "truncated section table", false;
      std::string n(name, strnlen(name, sizeof name));
      if (n.size() > 1 && n[0] == '/' && symtab != 0)  // "/123": offset into the string table
        if (std::string full = string_at(strings + std::strtoull(n.c_str() + 1, nullptr, 10));
            !full.empty())
          n = std::move(full);
      // IMAGE_SCN_CNT_CODE (0x20) or IMAGE_SCN_MEM_EXECUTE (0x20000000).
      const bool exec = (flags & 0x20000020u) != 0;
      const std::uint64_t in_file = std::min<std::uint64_t>(vsize, raw_size);
      if (in_file != 0 && std::uint64_t{raw_at} + in_file > bytes_.size())
        return why = "section " + n + " extends past the end of the file (truncated?)", false;
      sections_.push_back({std::move(n), image_base + va, raw_at, vsize, in_file, exec});
      section_va.push_back(image_base + va);
    }
    if (symtab != 0) load_pe_functions(symtab, nsymbols, strings, section_va);
    return true;
  }

  // COFF symbols of type 0x20 (a function), section-relative in an image.
  // They carry no size: a function ends where the next one in its section
  // begins, or with the section.
  void load_pe_functions(std::uint64_t at, std::uint32_t n, std::uint64_t strings,
                         const std::vector<std::uint64_t>& section_va) {
    struct start {
      std::uint64_t addr;
      unsigned section;
      std::string name;
    };
    std::vector<start> starts;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint64_t sym = at + std::uint64_t{i} * 18;
      char short_name[8];
      std::uint32_t zeroes, name_at, value;
      std::int16_t section_number;
      std::uint16_t type;
      std::uint8_t aux;
      if (!read(sym, short_name) || !read(sym, zeroes) || !read(sym + 4, name_at) ||
          !read(sym + 8, value) || !read(sym + 12, section_number) || !read(sym + 14, type) ||
          !read(sym + 17, aux))
        return;
      i += aux;
      if (type != 0x20 || section_number < 1 ||
          static_cast<std::size_t>(section_number) > section_va.size())
        continue;
      const unsigned index = static_cast<unsigned>(section_number - 1);
      if (!sections_[index].exec) continue;
      starts.push_back({section_va[index] + value, index,
                        zeroes == 0 ? string_at(strings + name_at)
                                    : std::string(short_name, strnlen(short_name, 8))});
    }
    std::sort(starts.begin(), starts.end(),
              [](const start& a, const start& b) { return a.addr < b.addr; });
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const section& s = sections_[starts[k].section];
      std::uint64_t end = s.addr + s.size;
      for (std::size_t j = k + 1; j < starts.size(); ++j)
        if (starts[j].section == starts[k].section && starts[j].addr > starts[k].addr) {
          end = starts[j].addr;
          break;
        }
      if (end > starts[k].addr)
        functions_.push_back({starts[k].addr, end - starts[k].addr, std::move(starts[k].name)});
    }
  }

  std::vector<std::uint8_t> bytes_;
  std::vector<section> sections_;
  std::vector<function> functions_;
  bool pe_ = false;
};

// Which instructions the bytes at a site are. VMX/SVM opcodes (SDM vol. 2,
// APM vol. 3) and RDMSR (0F 32), WRMSR (0F 30), XSETBV (0F 01 D1): legacy
// prefix (66/F3) and REX first; memory forms need mod != 3.
std::optional<insn> decode(const std::vector<std::uint8_t>& b) {
  std::size_t i = 0;
  std::uint8_t legacy = 0;
  while (i < b.size() &&
         (b[i] == 0x66 || b[i] == 0xf3 || b[i] == 0x67 || b[i] == 0x2e || b[i] == 0x3e ||
          b[i] == 0x26 || b[i] == 0x36 || b[i] == 0x64 || b[i] == 0x65)) {
    if (b[i] == 0x66 || b[i] == 0xf3) legacy = b[i];
    ++i;
  }
  if (i < b.size() && (b[i] & 0xf0) == 0x40) ++i;  // REX
  if (i >= b.size() || b[i] != 0x0f) return std::nullopt;
  const auto at = [&](std::size_t k) -> int { return i + k < b.size() ? b[i + k] : -1; };
  const int op = at(1), modrm = at(2);
  if (op < 0) return std::nullopt;
  const int mod = modrm >> 6, reg = (modrm >> 3) & 7;
  if (op == 0x01 && legacy == 0) {
    switch (modrm) {
      case 0xc1: return insn::vmcall;
      case 0xc2: return insn::vmlaunch;
      case 0xc3: return insn::vmresume;
      case 0xc4: return insn::vmxoff;
      case 0xd8: return insn::vmrun;
      case 0xd9: return insn::vmmcall;
      case 0xda: return insn::vmload;
      case 0xdb: return insn::vmsave;
      case 0xdc: return insn::stgi;
      case 0xdd: return insn::clgi;
      case 0xdf: return insn::invlpga;
      case 0xd1: return insn::xsetbv;
      default: return std::nullopt;
    }
  }
  if (op == 0xc7 && modrm >= 0 && mod != 3) {
    if (reg == 6 && legacy == 0xf3) return insn::vmxon;
    if (reg == 6 && legacy == 0x66) return insn::vmclear;
    if (reg == 6 && legacy == 0) return insn::vmptrld;
    if (reg == 7 && legacy == 0) return insn::vmptrst;
    return std::nullopt;
  }
  if (op == 0x32 && legacy == 0) return insn::rdmsr;
  if (op == 0x30 && legacy == 0) return insn::wrmsr;
  if (op == 0x78 && legacy == 0 && modrm >= 0) return insn::vmread;
  if (op == 0x79 && legacy == 0 && modrm >= 0) return insn::vmwrite;
  if (op == 0x38 && legacy == 0x66 && at(3) >= 0 && (at(3) >> 6) != 3) {
    if (modrm == 0x80) return insn::invept;
    if (modrm == 0x81) return insn::invvpid;
  }
  return std::nullopt;
}

// The entry instructions also cover the VMWRITEs of HOST_RSP/HOST_RIP that
// precede them inside launch()/resume(): a fault there is the entry's fault.
bool site_matches(insn id, insn decoded) {
  if (id == decoded) return true;
  return (id == insn::vmlaunch || id == insn::vmresume) && decoded == insn::vmwrite;
}

// The register-file wrappers' fault stub (detail/gpr_asm.hpp): pop %rdi;
// pop %rbx; pop %rbp; lea 0x80(%rsp),%rsp; jmp <fault label>. Returns the
// jump target.
std::optional<std::uint64_t> through_stub(const image& elf, std::uint64_t at) {
  static constexpr std::uint8_t restore[] = {0x5f, 0x5b, 0x5d, 0x48, 0x8d, 0xa4,
                                             0x24, 0x80, 0x00, 0x00, 0x00};
  const std::vector<std::uint8_t> b = elf.code(at, sizeof restore + 5);
  if (b.size() < sizeof restore + 2 ||
      !std::equal(std::begin(restore), std::end(restore), b.begin()))
    return std::nullopt;
  const std::size_t j = sizeof restore;
  const std::uint64_t next8 = at + j + 2, next32 = at + j + 5;
  if (b[j] == 0xeb) return next8 + static_cast<std::uint64_t>(static_cast<std::int8_t>(b[j + 1]));
  if (b[j] == 0xe9 && b.size() >= j + 5) {
    std::int32_t rel;
    std::memcpy(&rel, &b[j + 1], 4);
    return next32 + static_cast<std::uint64_t>(static_cast<std::int64_t>(rel));
  }
  return std::nullopt;
}

// "foo.cold" and "foo.cold.3" are GCC's out-of-line parts of "foo".
std::string_view family(std::string_view name) {
  const std::size_t cold = name.find(".cold");
  return cold == std::string_view::npos ? name : name.substr(0, cold);
}

// One instruction of an objdump listing, in the function block it is in.
struct listed {
  std::uint64_t addr;
  std::string mnemonic, text;
  std::size_t block;  // index into listing::functions
};

struct listing {
  std::vector<listed> insns;
  std::vector<std::string> functions;
};

bool is_hex(std::string_view t) {
  return !t.empty() && t.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Reads `objdump -d` text (GNU or LLVM, raw bytes shown or not): function
// headers "<addr> <name>:", instruction lines "  <addr>:\t<insn>", a blank
// line between functions. Instructions outside a function are left out.
bool read_listing(const char* path, listing& out) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  bool in_function = false;
  while (std::getline(in, line)) {
    if (line.empty()) {
      in_function = false;
      continue;
    }
    const std::size_t open = line.find(" <");
    if (line[0] != ' ' && open != std::string::npos && line.ends_with(">:")) {
      out.functions.push_back(line.substr(open + 2, line.size() - open - 4));
      in_function = true;
      continue;
    }
    const std::size_t colon = line.find(':');
    const std::size_t first = line.find_first_not_of(' ');
    if (!in_function || colon == std::string::npos || first >= colon || colon - first > 16 ||
        !is_hex(std::string_view(line).substr(first, colon - first)))
      continue;
    std::vector<std::string> words;
    std::size_t at = colon + 1;
    while ((at = line.find_first_not_of(" \t", at)) != std::string::npos) {
      const std::size_t end = std::min(line.find_first_of(" \t", at), line.size());
      words.push_back(line.substr(at, end - at));
      at = end;
    }
    std::size_t k = 0;  // raw bytes first, if shown; a line of only bytes continues one
    while (k < words.size() && words[k].size() == 2 && is_hex(words[k])) ++k;
    while (k < words.size() && (words[k] == "bnd" || words[k] == "notrack")) ++k;
    if (k == words.size()) continue;
    std::string text = words[k];
    for (std::size_t w = k + 1; w < words.size(); ++w) text += " " + words[w];
    out.insns.push_back({std::stoull(line.substr(first, colon - first), nullptr, 16), words[k],
                         std::move(text), out.functions.size() - 1});
  }
  return true;
}

bool is_jmp_or_call(std::string_view m) {
  return m == "jmp" || m == "jmpq" || m == "ljmp" || m == "call" || m == "callq" || m == "lcall";
}

unsigned errors = 0;

[[gnu::format(printf, 2, 3)]] void fail(std::uint64_t site, const char* fmt, ...) {
  ++errors;
  std::printf("error: entry for site %#" PRIx64 ": ", site);
  va_list ap;
  va_start(ap, fmt);
  std::vprintf(fmt, ap);
  va_end(ap);
  std::printf("\n");
}

struct options {
  bool list = false, allow_empty = false;
  const char* expect_sites = nullptr;
  const char* hot_path = nullptr;
  const char* path = nullptr;
};

int usage() {
  std::fprintf(stderr,
               "usage: virtops-extable-verify [--list] [--allow-empty] [--expect-sites FILE] "
               "[--hot-path DISASSEMBLY] IMAGE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--list")
      opt.list = true;
    else if (a == "--allow-empty")
      opt.allow_empty = true;
    else if (a == "--expect-sites" && i + 1 < argc)
      opt.expect_sites = argv[++i];
    else if (a == "--hot-path" && i + 1 < argc)
      opt.hot_path = argv[++i];
    else if (a.starts_with("-") || opt.path != nullptr)
      return usage();
    else
      opt.path = argv[i];
  }
  if (opt.path == nullptr) return usage();

  image elf;
  std::string why;
  if (!elf.load(opt.path, why)) {
    std::fprintf(stderr, "%s: %s\n", opt.path, why.c_str());
    return 2;
  }

  const section* table = elf.table(why);
  if (!why.empty()) {
    std::printf("error: %s\n", why.c_str());
    return 1;
  }
  std::vector<std::uint8_t> raw;
  if (table != nullptr) {
    auto c = elf.contents(*table);
    if (!c) {
      std::printf("error: virtops_extable has no contents in the file\n");
      return 1;
    }
    raw = std::move(*c);
  }
  if (table == nullptr || raw.empty()) {
    std::printf("%s: no virtops_extable entries\n", opt.path);
    return opt.allow_empty ? 0 : 1;
  }
  if (raw.size() % 12 != 0 || table->addr % 4 != 0) {
    std::printf("error: virtops_extable is %zu bytes at %#" PRIx64
                ": not whole 4-aligned 12-byte entries\n",
                raw.size(), table->addr);
    return 1;
  }

  const std::size_t n = raw.size() / 12;
  std::map<std::uint64_t, unsigned> per_site;
  std::map<std::uint64_t, insn> well_formed;  // site -> the instruction there, for --hot-path
  std::vector<std::pair<std::uint64_t, std::uint64_t>> targets;  // site, fixup
  unsigned per_insn[virtops::insn_count] = {}, via_stub = 0, direct = 0;
  bool sorted = true;
  std::uint64_t previous = 0;
  for (std::size_t k = 0; k < n; ++k) {
    std::int32_t site_off, fixup_off;
    std::uint32_t id;
    std::memcpy(&site_off, &raw[k * 12], 4);
    std::memcpy(&fixup_off, &raw[k * 12 + 4], 4);
    std::memcpy(&id, &raw[k * 12 + 8], 4);
    const std::uint64_t field = table->addr + k * 12;
    const std::uint64_t site = field + static_cast<std::uint64_t>(std::int64_t{site_off});
    const std::uint64_t fixup = field + 4 + static_cast<std::uint64_t>(std::int64_t{fixup_off});
    if (k > 0 && site < previous) sorted = false;
    previous = site;
    ++per_site[site];
    targets.emplace_back(site, fixup);

    if (id >= virtops::insn_count) {
      fail(site, "unknown instruction id %u", id);
      continue;
    }
    const insn expected = static_cast<insn>(id);
    ++per_insn[id];
    const auto decoded = decode(elf.code(site, 16));
    if (!elf.code_at(site))
      fail(site, "site is not in an executable section");
    else if (!decoded)
      fail(site, "bytes at the site are no VMX/SVM instruction (entry says %s)",
           virtops::to_string(expected));
    else if (!site_matches(expected, *decoded))
      fail(site, "bytes at the site are %s, entry says %s", virtops::to_string(*decoded),
           virtops::to_string(expected));
    else
      well_formed.emplace(site, *decoded);

    if (!elf.code_at(fixup)) {
      fail(site, "fixup %#" PRIx64 " is not in an executable section", fixup);
      continue;
    }
    std::uint64_t landing = fixup;
    if (auto target = through_stub(elf, fixup))
      landing = *target, ++via_stub;
    else
      ++direct;
    if (elf.has_symbols()) {
      const function* at_site = elf.function_at(site);
      const function* at_landing = elf.function_at(landing);
      if (at_site == nullptr)
        fail(site, "site is in no function symbol");
      else if (at_landing == nullptr || family(at_site->name) != family(at_landing->name))
        fail(site, "fixup lands at %#" PRIx64 " in %s, not in %s", landing,
             at_landing ? at_landing->name.c_str() : "no function", at_site->name.c_str());
    }
    if (opt.list) {
      const function* f = elf.function_at(site);
      std::printf("%#" PRIx64 " %-8s -> %#" PRIx64 "%s  %s\n", site, virtops::to_string(expected),
                  landing, landing != fixup ? " (via stub)" : "", f ? f->name.c_str() : "?");
    }
  }
  for (const auto& [site, count] : per_site)
    if (count > 1) fail(site, "%u entries for one site", count);
  // Reach is an interval of field addresses: what the first and the last
  // slot reach, every slot reaches (extable::table::sort() checks the same).
  const auto reaches = [](std::uint64_t target, std::uint64_t field) {
    const auto d = static_cast<std::int64_t>(target - field);
    return d >= INT32_MIN && d <= INT32_MAX;
  };
  const std::uint64_t first_slot = table->addr, last_slot = table->addr + (n - 1) * 12;
  for (const auto& [site, fixup] : targets)
    if (!reaches(site, first_slot) || !reaches(site, last_slot) ||
        !reaches(fixup, first_slot + 4) || !reaches(fixup, last_slot + 4))
      fail(site, "site or fixup %#" PRIx64 " out of 32-bit reach of a table slot: not sortable",
           fixup);

  if (opt.expect_sites != nullptr) {
    std::ifstream in(opt.expect_sites);
    if (!in) {
      std::fprintf(stderr, "%s: cannot open\n", opt.expect_sites);
      return 2;
    }
    std::set<std::uint64_t> expected;
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) expected.insert(std::stoull(line, nullptr, 16));
    for (std::uint64_t site : expected)
      if (!per_site.contains(site)) fail(site, "a virtualization instruction without an entry");
    for (const auto& [site, count] : per_site)
      if (!expected.contains(site)) fail(site, "entry for a site the disassembly does not list");
    std::printf("disassembly: %zu virtualization instructions, each with one entry: %s\n",
                expected.size(), errors == 0 ? "yes" : "no");
  }

  if (opt.hot_path != nullptr) {
    listing dis;
    if (!read_listing(opt.hot_path, dis)) {
      std::fprintf(stderr, "%s: cannot open\n", opt.hot_path);
      return 2;
    }
    std::map<std::uint64_t, std::size_t> at;
    for (std::size_t i = 0; i < dis.insns.size(); ++i) at.emplace(dis.insns[i].addr, i);
    unsigned checked = 0, entering = 0, not_shown = 0, before = errors;
    for (const auto& [site, decoded] : well_formed) {
      if (decoded == insn::vmlaunch || decoded == insn::vmresume) {
        ++entering;  // success is in the guest; what follows is the VMfail path
        continue;
      }
      const auto it = at.find(site);
      if (it == at.end()) {
        ++not_shown;
        continue;
      }
      const listed& here = dis.insns[it->second];
      const auto shown = [&](std::size_t i) {
        return i < dis.insns.size() && dis.insns[i].block == here.block;
      };
      std::size_t next = it->second + 1;
      const bool vmfail = virtops::is_vmx(decoded) && shown(next) &&
                          (dis.insns[next].mnemonic == "jbe" || dis.insns[next].mnemonic == "jna");
      if (vmfail) ++next;
      if (!shown(next)) {
        ++not_shown;
        continue;
      }
      ++checked;
      const listed& after = dis.insns[next];
      if (is_jmp_or_call(after.mnemonic)) {
        const function* f = elf.function_at(site);
        fail(site,
             "hot path of \"%s\" in %s: %s%s%s\"%s\" at %#" PRIx64 ", a %s on its success path",
             here.text.c_str(), f ? f->name.c_str() : dis.functions[here.block].c_str(),
             vmfail ? "\"" : "", vmfail ? dis.insns[next - 1].text.c_str() : "",
             vmfail ? "\" then " : "", after.text.c_str(), after.addr,
             after.mnemonic.find("jmp") != std::string::npos ? "taken jump" : "call");
      }
    }
    std::printf(
        "hot path: %u sites checked, none followed by jmp or call: %s (%u enter the guest, "
        "%u not shown)\n",
        checked, errors == before ? "yes" : "no", entering, not_shown);
  }

  std::printf("%s (%s): %zu entries, %zu sites, %u fixups direct, %u via the fault stub, %s\n",
              opt.path, elf.format(), n, per_site.size(), direct, via_stub,
              sorted ? "sorted" : "unsorted (sorted at run time)");
  std::printf(" ");
  for (unsigned i = 0; i < virtops::insn_count; ++i)
    if (per_insn[i] != 0)
      std::printf(" %s %u", virtops::to_string(static_cast<insn>(i)), per_insn[i]);
  std::printf("\n%s\n", errors == 0 ? "OK" : "FAILED");
  if (errors != 0) std::printf("%u errors\n", errors);
  return errors == 0 ? 0 : 1;
}
