import { expect } from 'chai';
import { departmentProblems, selfChangeProblems, SEES_ALL_TEAMS } from '../../src/staff/staff-admin.service';

describe('staff administration rules', () => {
  it('requires a department for a department account, and refuses one for every other role', () => {
    expect(departmentProblems('department', 'finance')).to.deep.equal([]);
    expect(departmentProblems('department', null)).to.deep.equal(["department: required for role 'department'"]);
    expect(departmentProblems('department', undefined)).to.deep.equal(["department: required for role 'department'"]);
    expect(departmentProblems('agent', null)).to.deep.equal([]);
    expect(departmentProblems('supervisor', 'warehouse')).to.deep.equal(["department: only for role 'department'"]);
  });

  it('stops an admin from deactivating or changing the role of their own account, and nobody else', () => {
    const admin = { role: 'admin' as const };
    expect(selfChangeProblems(12, 12, admin, { active: false })).to.deep.equal(['active: you cannot deactivate your own account']);
    expect(selfChangeProblems(12, 12, admin, { role: 'agent' })).to.deep.equal(['role: you cannot change the role of your own account']);
    expect(selfChangeProblems(12, 12, admin, { role: 'admin', active: true, displayName: '林峰' })).to.deep.equal([]);
    expect(selfChangeProblems(12, 3, admin, { role: 'agent', active: false })).to.deep.equal([]);
  });

  it('shows every team to dispatchers, supervisors and admins only', () => {
    expect([...SEES_ALL_TEAMS].sort()).to.deep.equal(['admin', 'dispatcher', 'supervisor']);
  });
});
