#pragma once

#include <cstdint>
#include <string>

namespace zload::bench {

// The files of one generated data set, and how many rows each holds (headers excluded).
struct DataSet {
  std::string customer;        // c_custkey, c_name, c_nationkey, c_acctbal
  std::string orders;          // o_orderkey, o_custkey, o_orderdate, o_totalprice
  std::string lineitem;        // l_orderkey, l_partkey, l_quantity, l_extendedprice, ...
  std::string lineitem_delta;  // 1% new lineitem rows over the same orders
  std::string customer_empty;  // header only: the delta job's customer source
  std::string orders_empty;    // header only: the delta job's orders source
  std::string products;        // the shop demo: name, price (1000 products)
  std::string line_items;      // the shop demo: basket_id, product_name, qty
  int64_t customer_rows = 0;
  int64_t orders_rows = 0;
  int64_t lineitem_rows = 0;
  int64_t delta_rows = 0;
  int64_t product_rows = 0;
  int64_t line_item_rows = 0;
  uint64_t bytes = 0;  // all files together

  // customer + orders + lineitem: the rows of one base load.
  int64_t BaseRows() const { return customer_rows + orders_rows + lineitem_rows; }
};

// In what order the rows of lineitem and of the shop's line items come.
enum class KeyOrder {
  kRandom,     // each row's order (basket) drawn at random: every batch touches keys all over
  kClustered,  // as TPC-H's dbgen writes them: the rows of one order (basket) together, in
               // key order, about 4 an order
};

// Writes a TPC-H-like set with `lineitem_rows` lineitem rows (about rows/40 customers and
// rows/4 orders), its 1% delta (random orders either way), and the shop demo's files with as
// many line items, into `dir`. The same `seed`, size and order give byte-identical files. The
// data has no quotes and no NULLs. Throws Error(kIo) when a file cannot be written.
DataSet GenerateDataSet(const std::string& dir, int64_t lineitem_rows, uint64_t seed,
                        KeyOrder order = KeyOrder::kRandom);

}  // namespace zload::bench
