import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ValidateTopologyResponseSchema } from "@/lib/gen/ipcplay/v1/playground_pb";
import { formatProblems, type Problem } from "@/lib/run/problem";
import { LIMITS } from "@/lib/topology/limits";
import { RunError, type RunErrorCode } from "@/server/runtime/run-manager";

const CODES: Record<RunErrorCode, Code> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  permission_denied: Code.PermissionDenied,
  resource_exhausted: Code.ResourceExhausted,
  failed_precondition: Code.FailedPrecondition,
  unavailable: Code.Unavailable,
  internal: Code.Internal,
};

/**
 * `invalid_argument` whose message lists every problem, one `path: sentence`
 * per line, and whose details carry them as a ValidateTopologyResponse (JSON
 * clients see it under `details[0].debug`).
 */
export function invalidTopologyError(problems: readonly Problem[]): ConnectError {
  // Past the cap the gate's list ends with a line counting the rest (capProblems).
  const count =
    problems.length === 1 ? "1 problem" : problems.length > LIMITS.maxProblems ? `over ${LIMITS.maxProblems} problems` : `${problems.length} problems`;
  return new ConnectError(`invalid topology (${count}):\n${formatProblems(problems)}`, Code.InvalidArgument, undefined, [
    { desc: ValidateTopologyResponseSchema, value: create(ValidateTopologyResponseSchema, { valid: false, problems: [...problems] }) },
  ]);
}

/** Maps runtime errors to Connect codes; anything unexpected stays Internal. */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof RunError) {
    if (error.problems.length > 0) return invalidTopologyError(error.problems);
    return new ConnectError(error.message, CODES[error.code]);
  }
  return ConnectError.from(error, Code.Internal);
}
