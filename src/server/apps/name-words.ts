/** The two 64-word lists GenerateAppName draws from (adjective-noun-NNNN). */
export const ADJECTIVES = [
  "amber", "ancient", "autumn", "bold", "brave", "bright", "calm", "clever",
  "cosmic", "crimson", "crisp", "dapper", "daring", "dawn", "eager", "early",
  "fancy", "fast", "fierce", "floral", "frosty", "gentle", "gleaming", "golden",
  "grand", "happy", "hidden", "humble", "icy", "jolly", "keen", "kind",
  "lively", "lucky", "lunar", "mellow", "merry", "misty", "noble", "polar",
  "proud", "quiet", "rapid", "royal", "rustic", "sandy", "shiny", "silent",
  "silver", "snowy", "solar", "spry", "steady", "stellar", "sunny", "swift",
  "tidy", "tranquil", "vivid", "wandering", "warm", "wild", "witty", "zesty",
] as const;

export const NOUNS = [
  "anchor", "aurora", "badger", "beacon", "birch", "breeze", "brook", "canyon",
  "cedar", "comet", "coral", "crane", "creek", "dune", "eagle", "ember",
  "falcon", "fern", "field", "fjord", "forest", "fox", "galaxy", "garden",
  "glacier", "grove", "harbor", "hawk", "heron", "island", "lagoon", "lake",
  "lantern", "maple", "meadow", "mesa", "meteor", "moon", "moss", "nebula",
  "oak", "ocean", "orbit", "otter", "owl", "panda", "pebble", "pine",
  "planet", "prairie", "quartz", "raven", "reef", "river", "sparrow", "spruce",
  "star", "summit", "thunder", "tiger", "valley", "willow", "wolf", "zephyr",
] as const;
