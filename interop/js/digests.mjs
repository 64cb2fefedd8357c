// Usage: node digests.mjs BUILDS.json OUT.json
// Shrinks builds.mjs output to what a unit test needs: per build the error, or each split's size and the SHA-256 of
// its row_ids (decimal, in stored order, joined by ","). For large unshuffled builds, whose order (DataFusion's merge)
// would otherwise take megabytes of fixture.
import * as fs from "node:fs";
import { createHash } from "node:crypto";

const [inFile, outFile] = process.argv.slice(2);
const b = JSON.parse(fs.readFileSync(inFile, "utf8"));
const results = b.results.map((r) =>
  r.error !== undefined
    ? { config: r.config, error: r.error }
    : {
        config: r.config,
        sizes: r.splits.map((s) => s.length),
        sha256: r.splits.map((s) => createHash("sha256").update(s.join(",")).digest("hex")),
      });
fs.writeFileSync(outFile, JSON.stringify({ lancedb: b.lancedb, rows: b.rows, fragments: b.fragments, results }, null, 1));
console.log(`wrote ${outFile}: ${results.length} builds over ${b.rows} rows`);
