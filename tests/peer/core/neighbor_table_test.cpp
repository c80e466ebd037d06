// NeighborTable: a std::map's behaviour for the core's neighbors (ordered by connection id, nodes that
// never move), on a sorted vector.
#include "neighbor_table.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace shoal::peer {
namespace {

std::vector<ConnectionId> ids(NeighborTable& t) {
  std::vector<ConnectionId> out;
  for (auto& [id, n] : t) out.push_back(id);
  return out;
}

TEST(NeighborTable, IteratesInConnectionOrderWhateverTheInsertionOrder) {
  NeighborTable t;
  for (ConnectionId id : {7, 2, 9, 4}) t[id].conn = id;
  EXPECT_EQ(ids(t), (std::vector<ConnectionId>{2, 4, 7, 9}));
  EXPECT_EQ(t.size(), 4u);
}

TEST(NeighborTable, FindsAndErasesByIdAndKeepsTheOthersInPlace) {
  NeighborTable t;
  for (ConnectionId id : {1, 2, 3}) t[id].conn = id;
  Neighbor* three = &t.find(3)->second;
  t.erase(2);
  t[4].conn = 4;
  EXPECT_EQ(t.find(2), t.end());
  EXPECT_EQ(t.count(2), 0u);
  EXPECT_EQ(&t.find(3)->second, three) << "nodes never move: the core keeps pointers to neighbors";
  EXPECT_EQ(three->conn, 3u);
  EXPECT_EQ(ids(t), (std::vector<ConnectionId>{1, 3, 4}));
  t.erase(99);  // absent: nothing happens
  EXPECT_EQ(t.size(), 3u);
}

TEST(NeighborTable, IndexingAnExistingIdReturnsItUnchanged) {
  NeighborTable t;
  t[5].listen_port = 7000;
  EXPECT_EQ(t[5].listen_port, 7000);
  EXPECT_EQ(t.size(), 1u);
}

}  // namespace
}  // namespace shoal::peer
