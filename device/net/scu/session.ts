/**
 * Opening an association for one piece of work and always ending it: released when the work
 * succeeds, aborted when it throws (so the peer never waits on a half-done association).
 */
import { Association, type AssociationOptions } from '../association.js';

export async function withAssociation<T>(options: AssociationOptions, work: (a: Association) => Promise<T>): Promise<T> {
  const assoc = await Association.open(options);
  let result: T;
  try {
    result = await work(assoc);
  } catch (e) {
    assoc.abort();
    await assoc.closed;
    throw e;
  }
  if (assoc.established) await assoc.release();
  else await assoc.closed;
  return result;
}
