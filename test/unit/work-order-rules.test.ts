import { expect } from 'chai';
import {
  WORK_ORDER_STATUSES,
  canAnswer,
  canClose,
  canEdit,
  canOpen,
  canTransition,
  canView,
  classificationProblems,
  forwardingProblems,
  listScope,
  transitionProblem,
  type WorkOrderStatus,
  type WorkOrderViewer,
} from '../../src/work-orders/work-order-rules';
import { workOrderDay, workOrderNumber } from '../../src/work-orders/work-order-number';

describe('work order rules', () => {
  describe('status transitions', () => {
    const allowed: [WorkOrderStatus, WorkOrderStatus][] = [
      ['open', 'resolved'],
      ['open', 'forwarded'],
      ['forwarded', 'answered'],
      ['answered', 'closed'],
      ['resolved', 'closed'],
    ];

    it('allows exactly open→resolved|forwarded, forwarded→answered, answered→closed, resolved→closed', () => {
      const actual: [WorkOrderStatus, WorkOrderStatus][] = [];
      for (const from of WORK_ORDER_STATUSES) for (const to of WORK_ORDER_STATUSES) if (canTransition(from, to)) actual.push([from, to]);
      expect(actual).to.have.deep.members(allowed);
      expect(actual).to.have.length(allowed.length);
    });

    it('explains a refused transition and says what is possible; closed is final', () => {
      expect(transitionProblem('open', 'forwarded')).to.equal(undefined);
      expect(transitionProblem('open', 'closed')).to.equal('A work order that is open cannot become closed (it can become: resolved, forwarded)');
      expect(transitionProblem('forwarded', 'closed')).to.equal('A work order that is forwarded cannot become closed (it can become: answered)');
      expect(transitionProblem('resolved', 'forwarded')).to.include('it can become: closed');
      expect(transitionProblem('closed', 'open')).to.equal('A work order that is closed cannot become open (it is final)');
      expect(transitionProblem('answered', 'answered')).to.be.a('string');
    });
  });

  describe('classification', () => {
    it('requires a complaint type for a complaint', () => {
      expect(classificationProblems({ category: 'complaint' })).to.deep.equal([
        'complaintType is required for a complaint (one of: product_quality, service_attitude, logistics, other)',
      ]);
      expect(classificationProblems({ category: 'complaint', complaintType: null })).to.have.length(1);
      for (const t of ['product_quality', 'service_attitude', 'logistics', 'other'] as const) {
        expect(classificationProblems({ category: 'complaint', complaintType: t })).to.deep.equal([]);
      }
    });

    it('forbids a complaint type on any other category', () => {
      for (const category of ['inquiry', 'return_exchange', 'other'] as const) {
        expect(classificationProblems({ category })).to.deep.equal([]);
        expect(classificationProblems({ category, complaintType: 'logistics' })).to.deep.equal([`complaintType is only for complaints, not for ${category}`]);
      }
    });
  });

  describe('forwarding', () => {
    it('needs a department to forward, and a department only when forwarding', () => {
      expect(forwardingProblems({ status: 'forwarded' })).to.deep.equal(['department is required to forward a work order']);
      expect(forwardingProblems({ status: 'forwarded', department: 'warehouse' })).to.deep.equal([]);
      expect(forwardingProblems({ status: 'resolved', department: 'finance' })).to.deep.equal(['department is given only when forwarding (status forwarded)']);
      expect(forwardingProblems({ status: 'open' })).to.deep.equal([]);
    });
  });

  describe('who may do what', () => {
    const agent: WorkOrderViewer = { id: 1, role: 'agent', department: null };
    const otherAgent: WorkOrderViewer = { id: 2, role: 'agent', department: null };
    const lead: WorkOrderViewer = { id: 3, role: 'team_lead', department: null };
    const supervisor: WorkOrderViewer = { id: 4, role: 'supervisor', department: null };
    const dispatcher: WorkOrderViewer = { id: 5, role: 'dispatcher', department: null };
    const admin: WorkOrderViewer = { id: 6, role: 'admin', department: null };
    const qc: WorkOrderViewer = { id: 7, role: 'quality_controller', department: null };
    const warehouse: WorkOrderViewer = { id: 8, role: 'department', department: 'warehouse' };
    const finance: WorkOrderViewer = { id: 9, role: 'department', department: 'finance' };
    const unassigned: WorkOrderViewer = { id: 10, role: 'department', department: null };
    const forwarded = { agentId: 1, status: 'forwarded' as const, department: 'warehouse' as const };
    const answered = { ...forwarded, status: 'answered' as const };
    const open = { agentId: 1, status: 'open' as const, department: null };

    it('lets agents and team leads open work orders, nobody else', () => {
      expect([agent, lead, supervisor, dispatcher, admin, qc, warehouse].map(canOpen)).to.deep.equal([true, true, false, false, false, false, false]);
    });

    it('shows an agent their own and answered ones, a department only what was forwarded to it, the floor everything', () => {
      expect(canView(agent, open)).to.equal(true);
      expect(canView(otherAgent, open)).to.equal(false);
      expect(canView(otherAgent, forwarded)).to.equal(false);
      expect(canView(otherAgent, answered)).to.equal(true);
      for (const v of [lead, supervisor, dispatcher, admin]) expect(canView(v, open)).to.equal(true);
      expect(canView(qc, open)).to.equal(false);
      expect(canView(warehouse, forwarded)).to.equal(true);
      expect(canView(finance, forwarded)).to.equal(false);
      expect(canView(warehouse, open)).to.equal(false);
      expect(canView(unassigned, { ...forwarded, department: null })).to.equal(false);
    });

    it('lets the owner or a team lead edit', () => {
      expect(canEdit(agent, open)).to.equal(true);
      expect(canEdit(otherAgent, open)).to.equal(false);
      expect(canEdit(lead, open)).to.equal(true);
      expect(canEdit(supervisor, open)).to.equal(false);
      expect(canEdit(warehouse, forwarded)).to.equal(false);
    });

    it('lets the department it was forwarded to, a supervisor or an admin answer', () => {
      expect(canAnswer(warehouse, forwarded)).to.equal(true);
      expect(canAnswer(finance, forwarded)).to.equal(false);
      expect(canAnswer(unassigned, forwarded)).to.equal(false);
      expect(canAnswer(supervisor, forwarded)).to.equal(true);
      expect(canAnswer(admin, forwarded)).to.equal(true);
      expect(canAnswer(agent, forwarded)).to.equal(false);
      expect(canAnswer(lead, forwarded)).to.equal(false);
    });

    it('lets the owner, any agent once answered, a team lead or a supervisor close', () => {
      expect(canClose(agent, answered)).to.equal(true);
      expect(canClose(otherAgent, answered)).to.equal(true);
      expect(canClose(otherAgent, { ...open, status: 'resolved' })).to.equal(false);
      expect(canClose(lead, open)).to.equal(true);
      expect(canClose(supervisor, open)).to.equal(true);
      expect(canClose(admin, answered)).to.equal(false);
      expect(canClose(warehouse, answered)).to.equal(false);
    });

    it('scopes lists: agents their own, departments their department, the floor all (or their own with mine)', () => {
      expect(listScope(agent, false)).to.deep.equal({ agentId: 1 });
      expect(listScope(warehouse, true)).to.deep.equal({ department: 'warehouse' });
      expect(listScope(unassigned, false)).to.deep.equal({ none: true });
      expect(listScope(lead, false)).to.deep.equal({ all: true });
      expect(listScope(lead, true)).to.deep.equal({ agentId: 3 });
      expect(listScope(dispatcher, false)).to.deep.equal({ all: true });
      expect(listScope(qc, false)).to.deep.equal({ none: true });
    });
  });

  describe('numbers', () => {
    it('is WO + the day in the center time zone + a four-digit sequence', () => {
      const lateUtc = new Date('2026-11-19T17:30:00Z'); // 01:30 on the 20th in Shanghai
      expect(workOrderDay(lateUtc, 'Asia/Shanghai')).to.equal('20261120');
      expect(workOrderDay(lateUtc, 'UTC')).to.equal('20261119');
      expect(workOrderNumber('20261120', 7)).to.equal('WO202611200007');
      expect(workOrderNumber('20261120', 12345)).to.equal('WO2026112012345');
      expect(() => workOrderNumber('2026-11-20', 1)).to.throw(RangeError);
      expect(() => workOrderNumber('20261120', 0)).to.throw(RangeError);
    });
  });
});
