/**
 * Two record types and a flow that Tandem does not ship, defined here alone: Zendesk groups ↔
 * PowerOffice Go projects. Their descriptors, the flow definition, the connector calls (with the
 * Zendesk groups' change feed) and the simulators' resources are all in this file; the generic code
 * routes, polls, explains and syncs it (the test beside it). No import here runs code that a
 * workflow bundle may not hold.
 */
import { z } from 'zod';
import type { CallsExtension } from '../../activities/extend';
import type { ApiRecord, FlowExtension } from '../../flows';
import type { PowerOfficeResourceSpec } from '../../simulators/poweroffice';
import type { ZendeskResourceSpec } from '../../simulators/zendesk';

export const PROJECTS_FLOW = 'zendesk-groups-to-powerofficego-projects';

/** A group as Zendesk answers it: what the flow reads, the rest kept. */
const Group = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  deleted: z.boolean().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** A project as PowerOffice Go answers it: what the flow reads, the rest kept. */
const Project = z.looseObject({
  Id: z.number().int(),
  Name: z.string().nullable().optional(),
  Code: z.string().nullable().optional(),
  CreatedDateTimeOffset: z.string().optional(),
  LastChangedDateTimeOffset: z.string().optional(),
});

export const projectsFlows: FlowExtension = {
  zendeskTypes: {
    groups: { noun: 'group', isDeleted: (r) => r.deleted === true, events: [], subject: 'group' },
  },
  targetTypes: { projects: { system: 'poweroffice', noun: 'project' } },
  flows: [
    {
      id: PROJECTS_FLOW,
      code: 'X1',
      title: 'Zendesk groups → PowerOffice Go projects',
      source: { system: 'zendesk', type: 'groups' },
      target: { system: 'poweroffice', type: 'projects' },
      direction: { mode: 'two-way', description: 'created from Zendesk; once linked, edits flow both ways' },
      condition: { id: 'every-group', description: 'every group', predicate: () => true },
      creation: { mode: 'always', description: 'a project for every group' },
      match: {
        by: 'name',
        zendesk: 'name',
        target: 'Name',
        caseInsensitive: true,
        exactlyOne: true,
        description: 'Zendesk `name` = project `Name` (ignoring case), exactly one candidate',
      },
      properties: [
        {
          source: 'created_at',
          target: 'CreatedDateTimeOffset',
          dataType: 'string',
          kind: 'timestamp',
          readOnly: { zendesk: true, target: true },
        },
        { source: 'name', target: 'Name', dataType: 'string', kind: 'text', readOnly: {} },
      ],
      extras: [],
      modifiedAt: { zendesk: 'updated_at', target: 'LastChangedDateTimeOffset' },
    },
  ],
};

export const projectsCalls: CallsExtension = {
  zendesk: {
    groups: (zendesk) => {
      const groups = zendesk.resource('groups', 'group', Group);
      return {
        get: (id) => groups.get(Number(id)),
        update: (id, body) => groups.update(Number(id), body),
      };
    },
  },
  // Groups have no incremental export: the list is read whole, and what changed since the newest
  // change seen is handed on. Zendesk's times are whole seconds, so that second is read again (its
  // records are echoes by then, dropped).
  zendeskFeeds: {
    async groups(zendesk, checkpoint) {
      const all = await zendesk.resource('groups', 'group', Group).listAll();
      const changed = all.filter((g) => checkpoint === null || g.updated_at >= checkpoint);
      const newest = all.reduce((m, g) => (g.updated_at > m ? g.updated_at : m), checkpoint ?? '');
      return {
        items: changed.map((g) => ({ id: String(g.id), record: g as ApiRecord })),
        checkpoint: newest,
        done: true,
      };
    },
  },
  target: {
    projects: ({ poweroffice }) => {
      const projects = poweroffice.resource('/Projects', Project);
      return {
        get: (id) => projects.get(Number(id)),
        create: (body) => projects.create(body),
        update: (id, body) => projects.update(Number(id), body),
        find: async (_by, value) => {
          const wanted = value.trim().toLowerCase();
          const named = await projects.listAll({ name: value.trim() });
          return named.filter((p) => (p.Name ?? '').trim().toLowerCase() === wanted);
        },
        list: (since, pageNumber, pageSize) =>
          projects.list({ lastChangedDateTimeOffsetGreaterThan: since }, { pageNumber, pageSize }),
        idField: 'Id',
      };
    },
  },
};

export const projectsResources: { zendesk: ZendeskResourceSpec[]; poweroffice: PowerOfficeResourceSpec[] } = {
  zendesk: [
    {
      path: 'groups',
      singular: 'group',
      fields: { name: z.string().max(255), description: z.string().nullable() },
      required: 'name',
      firstId: 360000001,
    },
  ],
  poweroffice: [
    {
      path: '/Projects',
      noun: 'Project',
      fields: { Name: z.string().max(200).nullable(), Code: z.string().max(50).nullable() },
      required: 'Name',
      firstId: 700001,
    },
  ],
};
