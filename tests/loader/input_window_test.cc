// InputWindow's buffer: a source of known size that holds less than a chunk gets a buffer of
// what it has left (kSmallestBuffer at least), and the window still reads every byte of it.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "loader/input_source.h"

namespace zload {
namespace {

// Every byte the window holds after refilling until the end of input.
std::string ReadThrough(InputWindow& window) {
  std::string seen;
  while (window.Refill(window.end())) seen.append(window.begin(), window.end());
  return seen;
}

TEST(InputWindowTest, ASmallSourceTakesTheSmallestBuffer) {
  std::unique_ptr<InputSource> source = InputSource::FromString(std::string(100, 'x'));
  InputWindow window(*source);
  EXPECT_EQ(window.capacity(), InputWindow::kSmallestBuffer);
  EXPECT_EQ(ReadThrough(window), std::string(100, 'x'));
  EXPECT_TRUE(window.at_eof());
}

TEST(InputWindowTest, ASourceSmallerThanAChunkTakesWhatItHolds) {
  const std::string text(InputWindow::kChunkSize / 4 + 5, 'y');
  std::unique_ptr<InputSource> source = InputSource::FromString(text);
  InputWindow window(*source);
  EXPECT_EQ(window.capacity(), text.size());
  EXPECT_TRUE(window.Refill(window.end()));
  EXPECT_EQ(static_cast<size_t>(window.end() - window.begin()), text.size());
  EXPECT_EQ(*window.end(), '\n');  // the sentinel, past the last byte
  EXPECT_FALSE(window.Refill(window.end()));
}

TEST(InputWindowTest, ALargeSourceTakesAChunk) {
  const std::string text(InputWindow::kChunkSize * 2 + 7, 'z');
  std::unique_ptr<InputSource> source = InputSource::FromString(text);
  InputWindow window(*source);
  EXPECT_EQ(window.capacity(), InputWindow::kChunkSize);
  EXPECT_EQ(ReadThrough(window), text);
}

TEST(InputWindowTest, TheBufferCountsFromTheSourcesPosition) {
  std::string text(InputWindow::kChunkSize * 2, 'a');
  text.replace(text.size() - 3, 3, "end");
  std::unique_ptr<InputSource> source = InputSource::FromString(text);
  source->SkipTo(text.size() - 1000);
  InputWindow window(*source);
  EXPECT_EQ(window.capacity(), InputWindow::kSmallestBuffer);
  EXPECT_EQ(window.base_offset(), text.size() - 1000);
  EXPECT_EQ(ReadThrough(window), text.substr(text.size() - 1000));
}

TEST(InputWindowTest, AGivenChunkSizeBelowTheSmallestBufferIsKept) {
  std::unique_ptr<InputSource> source = InputSource::FromString("abcdefgh");
  InputWindow window(*source, 3);
  EXPECT_EQ(window.capacity(), 3u);
  EXPECT_EQ(ReadThrough(window), "abcdefgh");
}

}  // namespace
}  // namespace zload
