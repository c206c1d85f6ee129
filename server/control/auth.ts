import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { ControlRuns } from "@/server/runtime/run-manager";

/**
 * A run is controlled and watched only with its token. The token travels as
 * `authorization: Bearer <token>`; a missing or wrong one is the same answer,
 * so the control plane tells nobody which run ids exist.
 */
export async function requireRunToken(runs: ControlRuns, runId: string, context: HandlerContext): Promise<void> {
  if (!runId) throw new ConnectError("runId is required", Code.InvalidArgument);
  const header = context.requestHeader.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw new ConnectError("missing run token: send 'authorization: Bearer <token>' (StartRun returns it)", Code.Unauthenticated);
  }
  if (!(await runs.checkToken(runId, match[1]))) {
    throw new ConnectError(`no run ${JSON.stringify(runId)} with that token`, Code.PermissionDenied);
  }
}
