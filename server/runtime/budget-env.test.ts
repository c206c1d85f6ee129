import { describe, expect, it } from "vitest";
import { budgetLimitsFromEnv } from "./budget-env";

describe("budgetLimitsFromEnv", () => {
  it("reads the variables that are set, bytes in MB", () => {
    expect(budgetLimitsFromEnv({ IPCPLAY_RUN_MESSAGES_PER_SECOND: "500", IPCPLAY_HOST_MAX_RSS_MB: "256", IPCPLAY_ADMIT_MAX_LOAD_PER_CPU: "2.5" })).toEqual({
      runMessagesPerSecond: 500,
      maxHostRssBytes: 256 * 1024 * 1024,
      admission: { maxLoadPerCpu: 2.5 },
    });
    expect(budgetLimitsFromEnv({})).toEqual({});
  });

  it("names a variable whose value is not a positive number", () => {
    expect(() => budgetLimitsFromEnv({ IPCPLAY_RUN_MAX_PENDING_SENDS: "lots" })).toThrow('IPCPLAY_RUN_MAX_PENDING_SENDS="lots": expected a positive number');
  });
});
