// rules.js: what the current user may do, as the contract's command table
// says (PROTOCOL.md "Commands"). The page offers only these actions; the
// server checks them again and has the last word.

const has = (user, role) => (user.roles || []).includes(role);

export function may(user, st) {
  const open = !st.frozen;
  const neg = has(user, 'negotiator');
  const legal = has(user, 'legal');
  const own = (t) => t.party === user.party;
  return {
    createNegotiation: neg,
    propose: neg && open,
    comment: (neg || legal) && open && !!st.latest(),
    reply: () => (neg || legal) && open,
    concur: (t) => neg && open && t.kind === 'consensus' &&
      (t.status === 'void' || (t.status === 'proposed' && !t.concurred.includes(user.party))),
    resolve: (t) => neg && open && own(t) && t.kind === 'open_issue' && t.status === 'open',
    reopen: (t) => neg && open && t.kind === 'open_issue' && t.status === 'resolved',
    withdraw: (t) => (neg || legal) && open && own(t) && t.status !== 'withdrawn',
    signOff: legal && open && !!st.latest(),
    sign: has(user, 'signatory') && st.readiness.status === 'ready_to_sign' && !st.readiness.signatures[user.party],
    withdrawSignature: has(user, 'signatory') && open && !!st.latest() && !!st.readiness.signatures[user.party],
    isLegal: legal,
    isSignatory: has(user, 'signatory'),
    isNegotiator: neg,
  };
}
