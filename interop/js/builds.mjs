// Usage: node builds.mjs DIR [N [CONFIGS.json [OUT.json [CUTS [DELETE]]]]]
// LanceDB's own PermutationBuilder over a table `cmp` (N rows, default 50000, in 4 uneven fragments; created here;
// CUTS, a JSON array of fractions such as [0.5, 0.8], sets other fragment boundaries: one fragment more than cuts;
// DELETE, an SQL predicate, deletes those rows afterwards)
// for every configuration of CONFIGS (default builds-configs.json); writes OUT (default DIR/lancedb-builds.json):
// per configuration either the error message
// or each split's row_ids in stored order (split k = rows with split_id = k, LanceDB's reading rule) and the
// split_id type. lance-torch's InteropCheck runs the same calls and compares.
import * as fs from "node:fs";
import * as path from "node:path";
import * as arrow from "apache-arrow";
import { permutationBuilder } from "@lancedb/lancedb";
import { connect } from "./common.mjs";

const [dir, nArg, configsArg, outArg, cutsArg, deleteArg] = process.argv.slice(2);
if (!dir) { console.error("usage: node builds.mjs DIR N"); process.exit(2); }
const N = Number(nArg ?? 50000);
const here = path.dirname(new URL(import.meta.url).pathname);
const configs = JSON.parse(fs.readFileSync(configsArg ?? path.join(here, "builds-configs.json"), "utf8"));
const outFile = outArg ?? path.join(dir, "lancedb-builds.json");

const schema = new arrow.Schema([
  new arrow.Field("id", new arrow.Int64(), false),
  new arrow.Field("i32", new arrow.Int32(), false),
  new arrow.Field("f", new arrow.Float64(), false),
  new arrow.Field("f32", new arrow.Float32(), false),
  new arrow.Field("s", new arrow.Utf8(), true),
  new arrow.Field("label", new arrow.Int32(), false),
  new arrow.Field("flag", new arrow.Bool(), false),
]);
function rows(from, to) {
  const out = [];
  for (let i = from; i < to; i++) {
    // strings of 0..40 bytes (short and long hash paths), every 11th null
    const s = i % 11 === 3 ? null : "row-" + (i * 7919 % 100003) + "-".repeat(i % 31);
    out.push({ id: BigInt(i), i32: (i * 37) % 1000 - 500, f: i * 0.25, f32: (i % 500) * 0.5, s, label: i % 10,
      flag: i % 3 === 0 });
  }
  return out;
}
const db = await connect(dir);
// 4 fragments of uneven sizes (or CUTS)
const fractions = JSON.parse(cutsArg ?? "[0.3, 0.55, 0.9]");
const cuts = [0, ...fractions.map((x) => Math.floor(N * x)), N];
const base = await db.createTable("cmp", rows(cuts[0], cuts[1]), { schema, mode: "overwrite" });
for (let f = 1; f + 1 < cuts.length; f++) await base.add(rows(cuts[f], cuts[f + 1]));
if (deleteArg) await base.delete(deleteArg);

const results = [];
for (const c of configs) {
  let b = permutationBuilder(base);
  if (c.filter) b = b.filter(c.filter);
  if (c.random) b = b.splitRandom(c.random);
  if (c.sequential) b = b.splitSequential(c.sequential);
  if (c.hash) b = b.splitHash(c.hash);
  if (c.calculated) b = b.splitCalculated(c.calculated);
  if (c.shuffle) b = b.shuffle(c.shuffle);
  try {
    const perm = await b.execute();
    const t = await perm.query().select(["row_id", "split_id"]).toArrow();
    const rid = t.getChild("row_id"), sid = t.getChild("split_id");
    const splits = [];
    for (let i = 0; i < t.numRows; i++) {
      const s = Number(sid.get(i));
      while (splits.length <= s) splits.push([]);
      splits[s].push(String(rid.get(i)));
    }
    results.push({ config: c, splits, splitIdType: String(t.schema.fields.find((f) => f.name === "split_id").type) });
  } catch (e) {
    results.push({ config: c, error: String(e.message ?? e) });
  }
}
// Tables LanceDB writes with a calculated split: their split_id type is the SQL type (Int32, Int64).
for (const [name, calc] of [["calc_i32", "label % 3"], ["calc_i64", "id % 3"]]) {
  await permutationBuilder(base).splitCalculated({ calculation: calc }).shuffle({ seed: 5 }).persist(db, name)
    .execute();
}
fs.writeFileSync(outFile, JSON.stringify({ lancedb: "0.39.0", rows: N, fragments: cuts.length - 1, results }));
console.log(`wrote ${outFile}: ${results.length} builds over ${N} rows`);
