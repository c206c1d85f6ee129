/**
 * The load bench's UI section alone (bench/load-ui.ts), without the
 * saturation steps that take most of `npm run bench:load`'s time:
 *
 *   npm run build && node --import tsx bench/ui-only.ts
 *
 * BENCH_UI_RATE sets the watched chain's rate (1,000 msg/s by default).
 */
import { markdownTable } from "./load-report";
import { measureUiWhileRunning, UI_LEGEND } from "./load-ui";

const ui = await measureUiWhileRunning();
if (typeof ui === "string") {
  console.error(ui);
  process.exit(1);
}
for (const line of ui.lines) console.log(`UI: ${line}`);
console.log(`\n${markdownTable(ui.header, ui.rows)}\n\n${UI_LEGEND}`);
