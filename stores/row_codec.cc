#include "stores/row_codec.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/error.h"

namespace zload {
namespace {

enum Tag : uint8_t {
  kNull = 0,
  kInteger = 1,
  kReal = 2,
  kText = 3,
  kFalse = 4,
  kTrue = 5,
  kTimestamp = 6
};

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Appends `bits` as 8 bytes, big-endian.
void PutBigEndian(uint64_t bits, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(bits >> shift));
}

// The bits of `d`; with `canonical`, -0.0 as 0.0 and every NaN as the default quiet NaN.
uint64_t RealBits(double d, bool canonical) {
  if (canonical && d == 0.0) d = 0.0;
  if (canonical && std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

// Bytes EncodeValueAt() may write for `v`: a tag and a varint (at most 10 bytes) or 8 bytes,
// and the text's bytes.
size_t EncodedBound(const Value& v) {
  return v.type() == Type::kText ? 11 + v.as_text().size() : 11;
}

char* PutVarintAt(uint64_t v, char* p) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// Writes `v` at `p` (EncodedBound(v) bytes there) and returns the end of what it wrote.
char* EncodeValueAt(const Value& v, bool canonical, char* p) {
  switch (v.type()) {
    case Type::kNull:
      *p++ = kNull;
      return p;
    case Type::kInteger:
      *p++ = kInteger;
      return PutVarintAt(ZigZag(v.as_integer()), p);
    case Type::kTimestamp:
      *p++ = kTimestamp;
      return PutVarintAt(ZigZag(v.as_timestamp()), p);
    case Type::kBoolean:
      *p++ = static_cast<char>(v.as_boolean() ? kTrue : kFalse);
      return p;
    case Type::kText: {
      *p++ = kText;
      const std::string& text = v.as_text();
      p = PutVarintAt(text.size(), p);
      std::memcpy(p, text.data(), text.size());
      return p + text.size();
    }
    case Type::kReal: {
      *p++ = kReal;
      const uint64_t bits = RealBits(v.as_real(), canonical);
      for (int shift = 56; shift >= 0; shift -= 8) *p++ = static_cast<char>(bits >> shift);
      return p;
    }
  }
  return p;
}

// Appends the row's encoding to `out`: sized once for the largest it can be, written in place,
// then cut to what it took.
void EncodeRowWith(const Row& row, bool canonical, std::string& out) {
  size_t bound = 11;
  for (const Value& v : row) bound += EncodedBound(v);
  const size_t start = out.size();
  out.resize(start + bound);
  char* const begin = out.data() + start;
  char* p = begin;
  *p++ = static_cast<char>(kRowCodecVersion);
  p = PutVarintAt(row.size(), p);
  for (const Value& v : row) p = EncodeValueAt(v, canonical, p);
  out.resize(start + static_cast<size_t>(p - begin));
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  uint8_t Byte() {
    if (pos_ >= bytes_.size()) Fail("truncated row encoding");
    return static_cast<uint8_t>(bytes_[pos_++]);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = Byte();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    Fail("overlong varint in row encoding");
  }
  std::string_view Take(uint64_t n) {
    if (n > bytes_.size() - pos_) Fail("truncated text in row encoding");
    std::string_view s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }
  [[noreturn]] static void Fail(const std::string& what) {
    throw Error(ErrorCode::kInternal, what);
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

void EncodeRow(const Row& row, std::string& out) { EncodeRowWith(row, false, out); }

std::string EncodeRow(const Row& row) {
  std::string out;
  EncodeRow(row, out);
  return out;
}

void EncodeZSetBlock(const ZSet& delta, std::string& out) {
  if (delta.empty()) return;
  out.push_back(static_cast<char>(kZSetBlockVersion));
  std::string row;
  for (const auto& [r, weight] : delta) {
    row.clear();
    EncodeRow(r, row);
    PutVarint(ZigZag(weight), out);
    PutVarint(row.size(), out);
    out.append(row);
  }
}

ZSet DecodeZSetBlock(std::string_view bytes) {
  ZSet out;
  if (bytes.empty()) return out;
  Reader r(bytes);
  const uint8_t version = r.Byte();
  if (version != kZSetBlockVersion) {
    Reader::Fail("unknown Z-set block version " + std::to_string(version));
  }
  if (r.AtEnd()) Reader::Fail("a Z-set block without entries");
  while (!r.AtEnd()) {
    const int64_t weight = UnZigZag(r.Varint());
    if (weight == 0) Reader::Fail("an entry of weight 0 in a Z-set block");
    Row row = DecodeRow(r.Take(r.Varint()));
    out.Add(std::move(row), weight);
  }
  return out;
}

Row DecodeRow(std::string_view bytes) {
  Reader r(bytes);
  uint8_t version = r.Byte();
  if (version != kRowCodecVersion) {
    Reader::Fail("unknown row encoding version " + std::to_string(version));
  }
  uint64_t n = r.Varint();
  if (n > bytes.size()) Reader::Fail("corrupt column count in row encoding");
  Row row;
  row.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    switch (r.Byte()) {
      case kNull:
        row.emplace_back();
        break;
      case kInteger:
        row.push_back(Value::Integer(UnZigZag(r.Varint())));
        break;
      case kTimestamp:
        row.push_back(Value::Time(UnZigZag(r.Varint())));
        break;
      case kFalse:
        row.push_back(Value::Boolean(false));
        break;
      case kTrue:
        row.push_back(Value::Boolean(true));
        break;
      case kText: {
        uint64_t len = r.Varint();
        row.push_back(Value::Text(std::string(r.Take(len))));
        break;
      }
      case kReal: {
        uint64_t bits = 0;
        for (int k = 0; k < 8; ++k) bits = (bits << 8) | r.Byte();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        row.push_back(Value::Real(d));
        break;
      }
      default:
        Reader::Fail("unknown value tag in row encoding");
    }
  }
  if (!r.AtEnd()) Reader::Fail("trailing bytes after row encoding");
  return row;
}

namespace {

// Appends `v` so that equal values give equal bytes and integers (timestamps, reals) keep their
// order; see "Key identity" in FORMATS.md.
void EncodeOrderedValue(const Value& v, std::string& out) {
  constexpr uint64_t kSign = uint64_t{1} << 63;
  switch (v.type()) {
    case Type::kNull:
      out.push_back(kNull);
      return;
    case Type::kInteger:
      out.push_back(kInteger);
      PutBigEndian(static_cast<uint64_t>(v.as_integer()) ^ kSign, out);
      return;
    case Type::kTimestamp:
      out.push_back(kTimestamp);
      PutBigEndian(static_cast<uint64_t>(v.as_timestamp()) ^ kSign, out);
      return;
    case Type::kBoolean:
      out.push_back(v.as_boolean() ? kTrue : kFalse);
      return;
    case Type::kText:
      out.push_back(kText);
      out.push_back(static_cast<char>(v.as_text().size()));  // REQUIRES: < 256 bytes
      out.append(v.as_text());
      return;
    case Type::kReal: {
      const uint64_t bits = RealBits(v.as_real(), true);
      out.push_back(kReal);
      PutBigEndian((bits & kSign) ? ~bits : bits ^ kSign, out);
      return;
    }
  }
}

}  // namespace

RowIdentity KeyIdentityOf(const Row& key) {
  constexpr size_t kDirect = sizeof(RowIdentity) - 1;
  std::string bytes;
  bool fits = true;
  for (const Value& v : key) {
    if (v.type() == Type::kText && v.as_text().size() > kDirect) {
      fits = false;
      break;
    }
    EncodeOrderedValue(v, bytes);
    if (bytes.size() > kDirect) {
      fits = false;
      break;
    }
  }
  RowIdentity id{};
  if (fits) {
    id[0] = static_cast<uint8_t>(bytes.size());
    std::memcpy(id.data() + 1, bytes.data(), bytes.size());
    return id;
  }
  const RowIdentity hashed = IdentityOf(key);
  id[0] = 0xFF;
  std::memcpy(id.data() + 1, hashed.data(), kDirect);
  return id;
}

constexpr size_t kIntegerKeyLength = 1 + sizeof(uint64_t);  // the tag and the value

std::optional<int64_t> IntegerOfKeyIdentity(const RowIdentity& id) {
  if (id[0] != kIntegerKeyLength || id[1] != kInteger) return std::nullopt;
  uint64_t bits = 0;
  for (size_t i = 2; i < 2 + sizeof bits; ++i) bits = (bits << 8) | id[i];
  return static_cast<int64_t>(bits ^ (uint64_t{1} << 63));
}

RowIdentity IntegerKeyIdentity(int64_t v) {
  RowIdentity id{};
  id[0] = kIntegerKeyLength;
  id[1] = kInteger;
  const uint64_t bits = static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
  for (size_t i = 0; i < sizeof bits; ++i) id[2 + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  return id;
}

RowIdentity IdentityOf(const Row& row) {
  std::string canonical;
  EncodeRowWith(row, true, canonical);
  XXH128_hash_t h = XXH3_128bits(canonical.data(), canonical.size());
  RowIdentity id;
  for (int i = 0; i < 8; ++i) {
    id[i] = static_cast<uint8_t>(h.high64 >> (56 - 8 * i));
    id[8 + i] = static_cast<uint8_t>(h.low64 >> (56 - 8 * i));
  }
  return id;
}

}  // namespace zload
