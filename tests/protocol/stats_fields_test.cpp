// The stats table (protocol/stats_fields.hpp) against what is declared elsewhere in protocol/ and docs/: the
// QoeReport message and the field table in docs/peer.md. Each test fails when a field is added to the table
// and that place is not updated (docs: SHOAL_UPDATE_DOCS=1 rewrites the block between the markers).
#include "shoal/protocol/stats_fields.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "shoal.pb.h"

namespace shoal::protocol {
namespace {

TEST(StatsFields, NamesAreUniqueAndListedInOrder) {
  std::set<std::string_view> names, element_fields, metrics;
  std::string expected;
  for (const StatsField& f : kStatsFields) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_TRUE(element_fields.insert(f.element_field).second) << f.element_field;
    if (!f.metric.empty()) {
      EXPECT_TRUE(metrics.insert(f.metric).second) << f.metric;
    }
    if (!f.ended_histogram.empty()) {
      EXPECT_TRUE(metrics.insert(f.ended_histogram).second) << f.ended_histogram;
    }
    expected += (expected.empty() ? "" : ", ") + std::string(f.name);
  }
  EXPECT_EQ(stats_field_names(), expected);
  EXPECT_EQ(stats_field(StatsFieldId::bytes_from_peers).name, "bytes_from_peers");
}

// The report's fields are the table's `reported` ones with the table's width, plus the session's id and `final`;
// the peer sets them by name (origin_wire.cpp), so a field missing here would silently not be sent.
TEST(StatsFields, QoeReportDeclaresTheReportedFields) {
  const google::protobuf::Descriptor* report = wire::QoeReport::descriptor();
  std::set<std::string> declared;
  for (int i = 0; i < report->field_count(); ++i) declared.insert(report->field(i)->name());
  std::set<std::string> expected{"peer_id", "final"};
  for (const StatsField& f : kStatsFields) {
    if (!f.reported) continue;
    expected.insert(std::string(f.name));
    const auto* field = report->FindFieldByName(std::string(f.name));
    ASSERT_NE(field, nullptr) << f.name << " is not in QoeReport";
    EXPECT_EQ(field->cpp_type(), f.bits == 32 ? google::protobuf::FieldDescriptor::CPPTYPE_UINT32
                                              : google::protobuf::FieldDescriptor::CPPTYPE_UINT64)
        << f.name;
  }
  EXPECT_EQ(declared, expected);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string element_type(const StatsField& f) {
  if (f.unit == StatsUnit::ms) return "guint64, ns";
  return f.bits == 32 ? "guint" : "guint64";
}

std::string metric_text(const StatsField& f) {
  switch (f.metric_kind) {
    case OriginMetric::none:
      return "—";
    case OriginMetric::counter:
      return "`" + std::string(f.metric) + "` (counter)" +
             (f.ended_histogram.empty() ? ""
                                        : ", `" + std::string(f.ended_histogram) + "` (histogram per ended session)");
    case OriginMetric::histogram:
      return "`" + std::string(f.metric) + "` (histogram)";
  }
  return "?";
}

// docs/peer.md's table of the fields, as the table says it should read.
std::string docs_block() {
  std::string block =
      "| field | unit | meaning | in QoeReport | shoalsrc field | origin `/metrics` |\n"
      "|---|---|---|---|---|---|\n";
  for (const StatsField& f : kStatsFields) {
    block += "| `" + std::string(f.name) + "` | " + std::string(to_string(f.unit)) + " | " + std::string(f.help) +
             " | " + (f.reported ? "yes" : "no") + " | `" + std::string(f.element_field) + "` (" + element_type(f) +
             ") | " + metric_text(f) + " |\n";
  }
  return block;
}

constexpr const char* kBegin = "<!-- stats-fields begin: generated from protocol/stats_fields.hpp -->\n";
constexpr const char* kEnd = "<!-- stats-fields end -->";

TEST(StatsFields, DocsTableIsTheTable) {
  const std::string path = std::string(SHOAL_SOURCE_DIR) + "/docs/peer.md";
  std::string text = read_file(path);
  const auto begin = text.find(kBegin);
  auto end = text.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << path << " has no " << kBegin;
  ASSERT_NE(end, std::string::npos) << path << " has no " << kEnd;
  ASSERT_LT(begin, end);
  const auto from = begin + std::string(kBegin).size();
  const std::string expected = docs_block();
  if (std::getenv("SHOAL_UPDATE_DOCS") != nullptr) {
    text.replace(from, end - from, expected);
    end = from + expected.size();
    std::ofstream(path) << text;
  }
  EXPECT_EQ(text.substr(from, end - from), expected)
      << path << " disagrees with protocol/stats_fields.hpp; SHOAL_UPDATE_DOCS=1 rewrites it";
}

// The exit-line examples in the docs list the table's keys right after "event", in order.
TEST(StatsFields, DocsExitExamplesListTheFieldsInOrder) {
  for (const char* page : {"/docs/peer.md", "/docs/player.md"}) {
    const std::string text = read_file(std::string(SHOAL_SOURCE_DIR) + page);
    const auto start = text.find(R"({"event":"exit",)");
    ASSERT_NE(start, std::string::npos) << page;
    const std::string example = text.substr(start, text.find('}', start) - start);
    std::vector<std::string> keys;
    const std::regex key(R"re("([a-z_]+)":)re");
    for (auto it = std::sregex_iterator(example.begin(), example.end(), key); it != std::sregex_iterator(); ++it)
      keys.push_back((*it)[1]);
    ASSERT_GE(keys.size(), kStatsFieldCount + 1) << page;
    for (std::size_t i = 0; i < kStatsFieldCount; ++i) EXPECT_EQ(keys[i + 1], kStatsFields[i].name) << page;
  }
}

}  // namespace
}  // namespace shoal::protocol
