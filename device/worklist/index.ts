export { DbWorklistService, filterMatches, summarize, type WorklistFinder, type WorklistServiceDeps } from './worklist-service.js';
export { networkWorklistFinder } from './find.js';
