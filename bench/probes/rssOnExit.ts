// Preloaded with --require into a command being measured: reports its peak RSS on exit, on stderr.
process.on('exit', () => {
  process.stderr.write(`\nBENCH_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
