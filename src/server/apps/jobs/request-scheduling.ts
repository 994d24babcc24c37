import type { Services } from "../../runtime/services";
import { requestAssignment } from "../../scheduler/request-assignment";

/**
 * Tells the scheduler (jobs process) that new jobs are pending, so they are assigned within
 * moments instead of at the next sweep. Called after the creating transaction commits.
 */
export async function requestScheduling(services: Services): Promise<void> {
  await requestAssignment(services);
}
