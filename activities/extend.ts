/**
 * The connector side of an extension (flows/extend.ts has its types and flows): which client calls
 * read and write its record types, and how its Zendesk change feed is read. Register in every
 * process that runs activities, before the worker starts.
 */
import type { ZendeskFeedType, ZendeskType, TargetType } from '../flows';
import { addZendeskFeed, type ZendeskFeedReader } from './change-feeds';
import { addTargetCalls, addZendeskCalls, type MakeTargetCalls, type MakeZendeskCalls } from './record-access';

export interface CallsExtension {
  zendesk?: Readonly<Record<ZendeskType, MakeZendeskCalls>>;
  zendeskFeeds?: Readonly<Record<ZendeskFeedType, ZendeskFeedReader>>;
  target?: Readonly<Record<TargetType, MakeTargetCalls>>;
}

export function extendCalls(extension: CallsExtension): void {
  for (const [type, make] of Object.entries(extension.zendesk ?? {})) addZendeskCalls(type, make);
  for (const [type, read] of Object.entries(extension.zendeskFeeds ?? {})) addZendeskFeed(type, read);
  for (const [type, make] of Object.entries(extension.target ?? {})) addTargetCalls(type, make);
}
