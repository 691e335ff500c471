/**
 * What the domain says about the account's region. The reference decides both
 * from the substring "renderbus" (mainland service) but got them wrong in two
 * places (§8.2.9–10): RayvisionCheck asked for Chinese texts whenever the
 * domain started with "task" — true for the international service too — and
 * getServerInfo sent the inverted zone. Both follow this one rule here.
 */
import { Zone } from '@openfarm/protocol';

export function isMainlandDomain(domain: string): boolean {
  return domain.includes('renderbus');
}

/** `zone`: 1 China, 2 international. */
export function zoneOf(domain: string): 1 | 2 {
  return isMainlandDomain(domain) ? Zone.CHINA : Zone.INTERNATIONAL;
}

/** `language` of queryAnalyseErrorDetail: 0 Chinese, 1 English. */
export function errorLanguageOf(domain: string): 0 | 1 {
  return isMainlandDomain(domain) ? 0 : 1;
}

/** The OS name the software catalogue expects for the machine this runs on. */
export function localOsName(): 'windows' | 'linux' {
  return process.platform === 'win32' ? 'windows' : 'linux';
}
