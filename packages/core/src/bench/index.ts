/** `fewshot bench`: benchmarks of methods x tasks, content-addressed, resumable, sharded. */
export * from './results-schema.js';
export * from './bench-schema.js';
export * from './load-bench.js';
export * from './bench-plan.js';
export * from './bench-shard.js';
export * from './run-bench.js';
export * from './compare-bench.js';
export * from './merge-bench.js';
export * from './bench-results.js';
export * from './bench-report.js';
export { readBenchResults } from './bench-outputs.js';
export { scoreEpisodes, type EpisodeScores } from './score-episodes.js';
export { renderHtmlReport, writeHtmlReport, type HtmlReportOptions } from './html-report.js';
export { benchDataPaths } from './bench-data-paths.js';
