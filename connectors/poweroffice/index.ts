export { PowerOfficeConfig, parsePowerOfficeConfig, tokenUrlOf } from './config';
export { PowerOfficeTokenProvider } from './auth';
export { toJsonPatch } from './json-patch';
export { paginationOf, PowerOfficeClient } from './client';
