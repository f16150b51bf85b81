/**
 * @module lookalike
 * Lookalike (phishing) domains of a case's own domains: detection and scoring (`detect`),
 * candidate generation for defenders (`generate`), and the case scan (`scanCase`,
 * `runLookalikes`, which writes `lookalike-domain` evidence).
 */
export { classify, detect, makeTarget, DEFAULT_MIN_SCORE, type Kind, type Match, type ScorePart, type Target } from './detect.ts';
export { parseHost, type Host } from './domain.ts';
export { bareDomains, domainsOf, type Place } from './extract.ts';
export { generate, type Candidate } from './generate.ts';
export { guessTargets, ownedBecause, runLookalikes, scanCase, CODE, OWNED, STAGE, type Hit, type ScanResult, type Usage } from './scan.ts';
