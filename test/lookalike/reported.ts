/**
 * Publicly reported phishing domains, each with the real domain of the organisation it
 * imitated, for the lookalike tests and benchmark. Sources:
 * - En Marche! (Macron campaign), 2017: onedrive-en-marche.fr — Trend Micro, Feike Hacquebord,
 *   "From Espionage to Cyber Propaganda: Pawn Storm's Activities over the Past Two Years"
 *   (25 April 2017); mail-en-marche.fr, portal-office.fr, accounts-office.fr, registered with
 *   the same address and confirmed by Trend Micro — Motherboard/Vice, "This Is the Evidence
 *   Linking Russian Hackers to the French Election" (April 2017); en-marche.co — ThreatConnect,
 *   "Parlez-vous Fancy?" (May 2017).
 * - Konrad-Adenauer-Stiftung (kas.de), 2017: kassap.de — same Trend Micro report (SecurityWeek,
 *   "French Presidential Candidate Targeted by Russia-Linked Hackers", 25 April 2017).
 * - Clinton campaign, 2016: accoounts-google.com — SecureWorks Counter Threat Unit, "Threat
 *   Group-4127 Targets Hillary Clinton Presidential Campaign" (16 June 2016);
 *   myaccount.google.com-securitysettingpage.tk — the link of the phishing mail to John Podesta
 *   (19 March 2016) published by WikiLeaks, analysed by Motherboard, "How Hackers Broke Into
 *   John Podesta and Colin Powell's Gmail Accounts" (20 October 2016).
 * - DNC and DCCC, 2016: misdepatrment.com (the DNC's IT contractor MIS Department) —
 *   ThreatConnect, "Rebooting Watergate: Tapping into the Democratic National Committee"
 *   (17 June 2016); actblues.com (the DCCC's donation platform) — United States v. Netyksho
 *   et al., indictment, District of Columbia (13 July 2018).
 * - WADA and CAS, 2016: wada-awa.org, wada-arna.org, tas-cass.org — ThreatConnect, "Russian
 *   Cyber Operations on Steroids" (August 2016); SecurityWeek, "Attack on Olympics Anti-Doping
 *   Agency Linked to Russia" (August 2016).
 * - USADA and WADA, 2018: webmail-usada.org, usada.eu, wada-adams.org — ThreatConnect,
 *   "Fancy Bear Duping Doping Domains" (January 2018).
 * - IRI, Hudson Institute, US Senate, Office 365, 2018: my-iri.org, hudsonorg-my-sharepoint.com,
 *   senate.group, adfs-senate.services, adfs-senate.email, office365-onedrive.com — Microsoft,
 *   Brad Smith, "We are taking new steps against broadening threats to democracy" (20 August
 *   2018); Axios, "Russian phishing sites targeted conservatives, Senate" (21 August 2018).
 * - Operation Pawn Storm, 2014: academl.com (Academi), tolonevvs.com (TOLOnews), hm.qov.hu
 *   (Hungarian Ministry of Defence, hm.gov.hu), eurosatory-2014.com (the Eurosatory defence
 *   fair) — Trend Micro, "Operation Pawn Storm: Using Decoys to Evade Detection" (October 2014).
 * - IDN homograph, 2017: аррӏе.com (all Cyrillic, xn--80ak6aa92e.com) — Xudong Zheng,
 *   "Phishing with Unicode Domains" (14 April 2017).
 */
import { domainToASCII } from 'node:url';

/** [reported domain, the organisation's real domain] */
export const REPORTED: readonly [string, string][] = [
  ['onedrive-en-marche.fr', 'en-marche.fr'],
  ['mail-en-marche.fr', 'en-marche.fr'],
  ['portal-office.fr', 'office.com'],
  ['accounts-office.fr', 'office.com'],
  ['en-marche.co', 'en-marche.fr'],
  ['kassap.de', 'kas.de'],
  ['accoounts-google.com', 'google.com'],
  ['myaccount.google.com-securitysettingpage.tk', 'google.com'],
  ['misdepatrment.com', 'misdepartment.com'],
  ['actblues.com', 'actblue.com'],
  ['wada-awa.org', 'wada-ama.org'],
  ['wada-arna.org', 'wada-ama.org'],
  ['tas-cass.org', 'tas-cas.org'],
  ['webmail-usada.org', 'usada.org'],
  ['usada.eu', 'usada.org'],
  ['wada-adams.org', 'wada-ama.org'],
  ['my-iri.org', 'iri.org'],
  ['hudsonorg-my-sharepoint.com', 'hudson.org'],
  ['senate.group', 'senate.gov'],
  ['adfs-senate.services', 'senate.gov'],
  ['adfs-senate.email', 'senate.gov'],
  ['office365-onedrive.com', 'onedrive.com'],
  ['academl.com', 'academi.com'],
  ['tolonevvs.com', 'tolonews.com'],
  ['hm.qov.hu', 'hm.gov.hu'],
  ['eurosatory-2014.com', 'eurosatory.com'],
  [domainToASCII('аррӏе.com'), 'apple.com'],
];

/** Every organisation above, plus the services the phishing imitated. */
export const CAMPAIGN_TARGETS: readonly string[] = [...new Set([...REPORTED.map(([, t]) => t), 'microsoft.com', 'outlook.com'])];
