// The dispatcher's actions from the wallboard, in a small modal dialog that asks for the (audited) reason: move an agent
// to another desk, end their break, log them out; raise a waiting caller's priority or hand them to an agent.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, type TextKey } from '../i18n';
import { queueName } from '../queue-names';
import { api, session } from '../session';
import { DESKS, type AgentView, type CallerView, type Desk, type FloorState, type QueueView } from './wallboard-floor';
import { ErrorLine } from '../error-line';

export type ActionTarget = { kind: 'agent'; agent: AgentView } | { kind: 'caller'; caller: CallerView; queue: QueueView };

type Choice = 'move' | 'end-break' | 'log-out' | 'priority' | 'assign';

/** Only dispatchers and supervisors act on the floor; team leads watch. */
export function mayAct(): boolean {
  const role = session.value?.staff.role;
  return role === 'dispatcher' || role === 'supervisor';
}

export function ActionDialog({ target, floor, onClose }: { target: ActionTarget; floor: FloorState; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const agent = target.kind === 'agent' ? target.agent : undefined;
  const choices: Choice[] = agent ? ['move', ...(agent.state === 'break' ? (['end-break'] as const) : []), 'log-out'] : ['priority', 'assign'];
  const [choice, setChoice] = useState<Choice>(choices[0]);
  const [to, setTo] = useState<Desk>(DESKS.find((d) => !agent?.desks.includes(d)) ?? 'front');
  const [from, setFrom] = useState<Desk | ''>(agent?.desks.length === 1 ? agent.desks[0] : '');
  const [priority, setPriority] = useState(target.kind === 'caller' ? Math.min(99, target.caller.priority + 10) : 50);
  const candidates = target.kind === 'caller' ? [...floor.agents.values()].filter((a) => a.state !== 'offline' && a.desks.includes(target.queue.desk)) : [];
  const [assignee, setAssignee] = useState<number>((candidates.find((a) => a.state === 'available') ?? candidates[0])?.id ?? 0);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = ref.current!;
    d.showModal();
    return () => d.close();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      if (agent) {
        const base = `/api/floor/agents/${agent.id}`;
        if (choice === 'move') await api('POST', `${base}/move`, from ? { to, from, reason } : { to, reason });
        else await api('POST', `${base}/${choice}`, { reason });
      } else if (target.kind === 'caller') {
        const base = `/api/floor/calls/${target.caller.callSid}`;
        if (choice === 'priority') await api('POST', `${base}/priority`, { priority, reason });
        else await api('POST', `${base}/assign`, { agentId: assignee, reason });
      }
      onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const label: Record<Choice, TextKey> = { move: 'wbMove', 'end-break': 'wbEndBreak', 'log-out': 'wbLogOut', priority: 'wbSetPriority', assign: 'wbAssign' };
  return (
    <dialog ref={ref} class="wb-dialog" onClose={onClose} aria-labelledby="wb-dialog-title">
      <form onSubmit={(e) => void submit(e)}>
        <h3 id="wb-dialog-title">
          {agent ? `${agent.displayName} · ${t(`wbState_${agent.state}` as TextKey)} · ${agent.desks.map((d) => t(`wbDesk_${d}` as TextKey)).join(', ')}` : target.kind === 'caller' ? `${queueName(target.queue.name)} · P${target.caller.priority} · …${target.caller.callSid.slice(-6)}` : ''}
        </h3>
        {!mayAct() ? (
          <p class="error" role="alert">
            {t('notAllowed')}
          </p>
        ) : (
          <>
            <fieldset class="wb-choices">
              {choices.map((c) => (
                <label key={c}>
                  <input type="radio" name="action" value={c} checked={choice === c} onChange={() => setChoice(c)} /> {t(label[c])}
                </label>
              ))}
            </fieldset>
            {choice === 'move' && agent && (
              <div class="wb-fields">
                <label>
                  {t('wbMoveTo')}
                  <select name="to" value={to} onChange={(e) => setTo(e.currentTarget.value as Desk)}>
                    {DESKS.map((d) => (
                      <option key={d} value={d}>
                        {t(`wbDesk_${d}` as TextKey)}
                      </option>
                    ))}
                  </select>
                </label>
                {agent.desks.length > 1 && (
                  <label>
                    {t('wbInsteadOf')}
                    <select name="from" value={from} onChange={(e) => setFrom(e.currentTarget.value as Desk | '')}>
                      <option value="">{t('wbAllDesks')}</option>
                      {agent.desks.map((d) => (
                        <option key={d} value={d}>
                          {t(`wbDesk_${d}` as TextKey)}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
              </div>
            )}
            {choice === 'priority' && (
              <label class="wb-fields">
                {t('wbPriority')}
                <input name="priority" type="number" min={1} max={99} value={priority} aria-describedby="wb-priority-hint" onInput={(e) => setPriority(Number(e.currentTarget.value))} />
                <small id="wb-priority-hint" class="wb-hint">
                  {t('wbPriorityHint')}
                </small>
              </label>
            )}
            {choice === 'assign' && (
              <label class="wb-fields">
                {t('wbAssign')}
                <select name="agent" value={assignee} onChange={(e) => setAssignee(Number(e.currentTarget.value))}>
                  {candidates.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.displayName} · {t(`wbState_${a.state}` as TextKey)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label class="wb-fields">
              {t('wbReason')}
              <input name="reason" required minLength={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} autoFocus />
            </label>
            <ErrorLine error={error} />
          </>
        )}
        <div class="wb-dialog-buttons">
          <button type="button" onClick={onClose}>
            {t('wbCancel')}
          </button>
          {mayAct() && (
            <button type="submit" class="primary" disabled={busy}>
              {t(label[choice])}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}
