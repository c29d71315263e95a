#include "bench/throughput_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <random>

#include "engine/error.h"

namespace zload::bench {
namespace {

constexpr int64_t kNations = 25;
constexpr int64_t kProducts = 1000;
const char* const kReturnFlags[] = {"A", "N", "R"};

// A CSV file written through a buffer; throws Error(kIo) on any failure.
class CsvFile {
 public:
  CsvFile(const std::string& path, const char* header) : path_(path) {
    file_.reset(std::fopen(path.c_str(), "wb"));
    if (!file_) throw Error(ErrorCode::kIo, "cannot create file", {.file = path});
    Line("{}", header);
  }

  // Appends one line: `format` filled with `args`, then a newline.
  template <typename... Args>
  void Line(fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(buf_), format, std::forward<Args>(args)...);
    buf_.push_back('\n');
    if (buf_.size() >= kFlushBytes) Flush();
  }

  // Flushes and closes; returns the bytes written.
  uint64_t Close() {
    Flush();
    if (std::fclose(file_.release()) != 0) {
      throw Error(ErrorCode::kIo, "cannot close file", {.file = path_});
    }
    return bytes_;
  }

 private:
  static constexpr size_t kFlushBytes = 1 << 16;

  void Flush() {
    if (std::fwrite(buf_.data(), 1, buf_.size(), file_.get()) != buf_.size()) {
      throw Error(ErrorCode::kIo, "cannot write file", {.file = path_});
    }
    bytes_ += buf_.size();
    buf_.clear();
  }

  struct Closer {
    void operator()(std::FILE* f) const {
      if (f) std::fclose(f);
    }
  };
  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::string buf_;
  uint64_t bytes_ = 0;
};

int64_t Uniform(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

// A price in cents, printed with two decimals.
std::string Cents(int64_t cents) {
  return fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", std::abs(cents) / 100,
                     std::abs(cents) % 100);
}

// The key (order, basket) of row `i` of `rows` over keys 1..keys: at random, or in key order
// with the rows of a key together.
int64_t KeyOf(KeyOrder order, int64_t i, int64_t rows, int64_t keys, std::mt19937_64& rng) {
  if (order == KeyOrder::kClustered) return 1 + i * keys / rows;
  return Uniform(rng, 1, keys);
}

// Appends `rows` lineitem rows over orders 1..orders and parts 1..parts to `out`.
void WriteLineItems(CsvFile& out, int64_t rows, int64_t orders, int64_t parts, std::mt19937_64& rng,
                    KeyOrder order) {
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t order_key = KeyOf(order, i, rows, orders, rng);
    int64_t part = Uniform(rng, 1, parts);
    int64_t quantity = Uniform(rng, 1, 50);
    int64_t unit_cents = 90000 + (part % 20000) * 5;  // a part's price is fixed, as in TPC-H
    out.Line("{},{},{},{},0.{:02},{}", order_key, part, quantity, Cents(quantity * unit_cents),
             Uniform(rng, 0, 10), kReturnFlags[Uniform(rng, 0, 2)]);
  }
}

}  // namespace

DataSet GenerateDataSet(const std::string& dir, int64_t lineitem_rows, uint64_t seed,
                        KeyOrder order) {
  DataSet d;
  d.lineitem_rows = lineitem_rows;
  d.customer_rows = std::max<int64_t>(1, lineitem_rows / 40);
  d.orders_rows = std::max<int64_t>(1, lineitem_rows / 4);
  d.delta_rows = std::max<int64_t>(1, lineitem_rows / 100);
  d.product_rows = kProducts;
  d.line_item_rows = lineitem_rows;
  int64_t parts = std::max<int64_t>(1, lineitem_rows / 5);
  std::mt19937_64 rng(seed);

  d.customer = dir + "/customer.csv";
  CsvFile customer(d.customer, "c_custkey,c_name,c_nationkey,c_acctbal");
  for (int64_t k = 1; k <= d.customer_rows; ++k) {
    customer.Line("{},Customer#{:09},{},{}", k, k, Uniform(rng, 0, kNations - 1),
                  Cents(Uniform(rng, -99999, 999999)));
  }
  d.bytes += customer.Close();

  d.orders = dir + "/orders.csv";
  CsvFile orders(d.orders, "o_orderkey,o_custkey,o_orderdate,o_totalprice");
  for (int64_t k = 1; k <= d.orders_rows; ++k) {
    orders.Line("{},{},{}-{:02}-{:02},{}", k, Uniform(rng, 1, d.customer_rows),
                Uniform(rng, 1992, 1998), Uniform(rng, 1, 12), Uniform(rng, 1, 28),
                Cents(Uniform(rng, 100000, 50000000)));
  }
  d.bytes += orders.Close();

  const char* lineitem_header =
      "l_orderkey,l_partkey,l_quantity,l_extendedprice,l_discount,l_returnflag";
  d.lineitem = dir + "/lineitem.csv";
  CsvFile lineitem(d.lineitem, lineitem_header);
  WriteLineItems(lineitem, d.lineitem_rows, d.orders_rows, parts, rng, order);
  d.bytes += lineitem.Close();

  d.lineitem_delta = dir + "/lineitem_delta.csv";
  CsvFile delta(d.lineitem_delta, lineitem_header);
  WriteLineItems(delta, d.delta_rows, d.orders_rows, parts, rng, KeyOrder::kRandom);
  d.bytes += delta.Close();

  d.customer_empty = dir + "/customer_delta.csv";
  d.bytes += CsvFile(d.customer_empty, "c_custkey,c_name,c_nationkey,c_acctbal").Close();
  d.orders_empty = dir + "/orders_delta.csv";
  d.bytes += CsvFile(d.orders_empty, "o_orderkey,o_custkey,o_orderdate,o_totalprice").Close();

  d.products = dir + "/products.csv";
  CsvFile products(d.products, "name,price");
  for (int64_t p = 1; p <= kProducts; ++p) {
    products.Line("product{:04},{}", p, Cents(Uniform(rng, 100, 100000)));
  }
  d.bytes += products.Close();

  d.line_items = dir + "/line_items.csv";
  CsvFile items(d.line_items, "basket_id,product_name,qty");
  int64_t baskets = std::max<int64_t>(1, lineitem_rows / 4);
  for (int64_t i = 0; i < d.line_item_rows; ++i) {
    const int64_t basket = KeyOf(order, i, d.line_item_rows, baskets, rng);
    items.Line("{},product{:04},{}", basket, Uniform(rng, 1, kProducts), Uniform(rng, 1, 10));
  }
  d.bytes += items.Close();
  return d;
}

}  // namespace zload::bench
