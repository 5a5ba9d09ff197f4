/**
 * The random edits a person makes on both sides of the chaos flows, and the log the checks classify.
 * Every value is logged in Zendesk's terms (an organisation by its Zendesk id, whichever side was
 * edited), so edits of one property on three systems can be ordered against each other.
 */
import { prng } from '../../simulators/kit';
import { P1, P2, Z3, Z3B } from './flows';
import type { LinkIndex } from './links';
import type { Person } from './person';

type EditKind = 'rename' | 'move' | 'clear' | 'role' | 'delete';
export type System = 'zendesk' | 'poweroffice' | 'crmoffice';

export interface Edit {
  n: number;
  /** When the edit's answer came back (ms): the record's modification time lies before it. */
  at: number;
  kind: EditKind;
  system: System;
  /** What is edited, across systems: `org:<zendesk id>` (its name) or `user:<zendesk id>`. */
  group: string;
  property: 'name' | 'organization' | 'role' | 'deleted';
  /** The new value in Zendesk's terms: a name, an organisation's Zendesk id, a role; null for a clear. */
  value: string | null;
  /** The record the person edited, e.g. `poweroffice employee 10012`. */
  record: string;
}

interface WorldUser {
  role: string;
  org: string | null;
  deleted: boolean;
}

/** What the person knows of Zendesk, kept current with their own edits. */
export interface World {
  users: Map<string, WorldUser>;
  orgs: string[];
  orgNames: Map<string, string>;
}

/**
 * Two edits of one group are at least this far apart: the conflict rule compares modification times
 * to the whole second (Zendesk keeps no finer), so closer edits on two systems would have no order.
 */
const GROUP_SPACING_MS = 2500;

type Plan = Omit<Edit, 'n' | 'at'> & { run: () => Promise<unknown> };

export class EditMaker {
  readonly log: Edit[] = [];
  private readonly random: () => number;
  private readonly lastAt = new Map<string, number>();
  /** Groups no longer edited: a deleted record (its deletion is checked on its own). */
  private readonly frozen = new Set<string>();
  private readonly touched = new Set<string>();

  constructor(
    private readonly person: Person,
    private readonly world: World,
    seed: number,
  ) {
    this.random = prng(seed ^ 0xc4a05);
  }

  /**
   * Makes one random edit with the links as they are now; returns it, or undefined when none fits.
   * The first two are a deletion on each side, so every run, however short, checks both.
   */
  async next(links: LinkIndex): Promise<Edit | undefined> {
    for (let tries = 0; tries < 50; tries++) {
      const plan =
        this.log.length < 2 ? this.delete(links, this.log.length === 0 ? 'zendesk' : 'poweroffice') : this.plan(links);
      if (!plan || this.frozen.has(plan.group) || Date.now() - (this.lastAt.get(plan.group) ?? 0) < GROUP_SPACING_MS)
        continue;
      const { run, ...edit } = plan;
      await run();
      const done: Edit = { ...edit, n: this.log.length + 1, at: Date.now() };
      this.log.push(done);
      this.lastAt.set(done.group, done.at);
      this.touched.add(done.group);
      if (done.kind === 'delete') this.frozen.add(done.group);
      return done;
    }
    return undefined;
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length ? items[Math.floor(this.random() * items.length)] : undefined;
  }

  private plan(links: LinkIndex): Plan | undefined {
    const r = this.random();
    if (r < 0.3) return this.rename(links);
    if (r < 0.6) return this.move(links, false);
    if (r < 0.72) return this.move(links, true);
    if (r < 0.88) return this.role();
    return this.delete(links);
  }

  private rename(links: LinkIndex): Plan | undefined {
    const synced = [...new Set([...links.linkedZendeskIds(P1), ...links.linkedZendeskIds(Z3B)])].filter((o) =>
      this.world.orgNames.has(o),
    );
    const org = this.pick(synced.length ? synced : this.world.orgs);
    if (!org) return undefined;
    const name = `Chaos ${this.log.length + 1} ${Math.floor(this.random() * 1e6)} AS`;
    const dept = links.target(P1, org);
    const company = links.target(Z3B, org);
    const system = this.pick<System>([
      'zendesk',
      ...(dept ? ['poweroffice' as const] : []),
      ...(company ? ['crmoffice' as const] : []),
    ])!;
    const base = { kind: 'rename' as const, system, group: `org:${org}`, property: 'name' as const, value: name };
    const done = () => this.world.orgNames.set(org, name);
    if (system === 'poweroffice')
      return {
        ...base,
        record: `poweroffice department ${dept}`,
        run: () => this.person.poweroffice.updateDepartment(Number(dept), { Name: name }).then(done),
      };
    if (system === 'crmoffice')
      return {
        ...base,
        record: `crmoffice company ${company}`,
        run: () => this.person.crmoffice.updateCompany(company!, { name }).then(done),
      };
    return {
      ...base,
      record: `zendesk organization ${org}`,
      run: () => this.person.zendesk.updateOrganization(Number(org), { name }).then(done),
    };
  }

  private liveUsers(): string[] {
    return [...this.world.users.entries()].filter(([, u]) => !u.deleted).map(([id]) => id);
  }

  /** A move to another organisation (on a target: to another linked department or company), or a clear. */
  private move(links: LinkIndex, clear: boolean): Plan | undefined {
    const system = this.pick<System>(['zendesk', 'poweroffice', 'crmoffice'])!;
    const kind = clear ? ('clear' as const) : ('move' as const);
    if (system === 'zendesk') {
      const id = this.pick(this.liveUsers());
      const user = id ? this.world.users.get(id) : undefined;
      if (!id || !user) return undefined;
      const org = clear ? null : this.pick(this.world.orgs.filter((o) => o !== user.org));
      if (org === undefined) return undefined;
      return {
        kind,
        system,
        group: `user:${id}`,
        property: 'organization',
        value: org,
        record: `zendesk user ${id}`,
        run: () =>
          this.person.zendesk
            .updateUser(Number(id), { organization_id: org === null ? null : Number(org) })
            .then(() => (user.org = org)),
      };
    }
    const [userFlow, orgFlow] = system === 'poweroffice' ? [P2, P1] : [Z3, Z3B];
    const id = this.pick(links.linkedZendeskIds(userFlow).filter((u) => this.world.users.get(u)?.deleted === false));
    const user = id ? this.world.users.get(id) : undefined;
    const targetId = id ? links.target(userFlow, id) : undefined;
    if (!id || !user || !targetId) return undefined;
    const org = clear
      ? null
      : this.pick(links.linkedZendeskIds(orgFlow).filter((o) => o !== user.org && this.world.orgNames.has(o)));
    if (org === undefined) return undefined;
    const to = org === null ? null : links.target(orgFlow, org)!;
    const base = { kind, system, group: `user:${id}`, property: 'organization' as const, value: org };
    const done = () => (user.org = org);
    if (system === 'poweroffice')
      return {
        ...base,
        record: `poweroffice employee ${targetId}`,
        run: () =>
          this.person.poweroffice
            .updateEmployee(Number(targetId), { DepartmentId: to === null ? null : Number(to) })
            .then(done),
      };
    return {
      ...base,
      record: `crmoffice contact ${targetId}`,
      run: () => this.person.crmoffice.updateContact(targetId, { company: to === null ? null : { id: to } }).then(done),
    };
  }

  /** An end-user made an agent (an employee is then due) or an agent made an end-user (nothing is deleted). */
  private role(): Plan | undefined {
    const id = this.pick(this.liveUsers().filter((u) => this.world.users.get(u)!.role !== 'admin'));
    if (!id) return undefined;
    const user = this.world.users.get(id)!;
    const role = user.role === 'agent' ? 'end-user' : 'agent';
    return {
      kind: 'role',
      system: 'zendesk',
      group: `user:${id}`,
      property: 'role',
      value: role,
      record: `zendesk user ${id}`,
      run: () =>
        this.person.zendesk
          .updateUser(Number(id), { role: role as 'agent' | 'end-user' })
          .then(() => (user.role = role)),
    };
  }

  /** A user deleted in Zendesk, or an employee in PowerOffice Go; only records not edited before, so the deletion is checked alone. */
  private delete(links: LinkIndex, side: System = this.random() < 0.5 ? 'zendesk' : 'poweroffice'): Plan | undefined {
    const fresh = (u: string) => this.world.users.get(u)?.deleted === false && !this.touched.has(`user:${u}`);
    if (side === 'zendesk') {
      const id = this.pick(this.liveUsers().filter(fresh));
      if (!id) return undefined;
      return {
        kind: 'delete',
        system: 'zendesk',
        group: `user:${id}`,
        property: 'deleted',
        value: 'true',
        record: `zendesk user ${id}`,
        run: () => this.person.deleteZendeskUser(id).then(() => (this.world.users.get(id)!.deleted = true)),
      };
    }
    const id = this.pick(links.linkedZendeskIds(P2).filter(fresh));
    const employee = id ? links.target(P2, id) : undefined;
    if (!id || !employee) return undefined;
    return {
      kind: 'delete',
      system: 'poweroffice',
      group: `user:${id}`,
      property: 'deleted',
      value: 'true',
      record: `poweroffice employee ${employee}`,
      run: () => this.person.deleteEmployee(employee),
    };
  }
}
