import { describe, expect, it } from 'vitest'
import {
  canInvite,
  canInviteRole,
  invitationMunicipality,
  invitationScope,
  invitationState,
} from '../../../src/features/invitations/invitations.access.ts'
import { parseInvitationCsv, parseRole } from '../../../src/features/invitations/invitations.csv.ts'

const admin = { id: 1, role: 'admin' as const, municipality_id: null }
const townAdmin = { id: 2, role: 'municipality_admin' as const, municipality_id: 7 }
const member = { id: 3, role: 'member' as const, municipality_id: 7 }
const staff = { id: 4, role: 'staff' as const, municipality_id: null }

describe('who may invite whom', () => {
  it('lets admins invite every role and municipality admins only colleagues', () => {
    for (const role of ['member', 'municipality_admin', 'staff', 'admin'] as const) expect(canInviteRole(admin, role)).toBe(true)
    expect(canInviteRole(townAdmin, 'member')).toBe(true)
    expect(canInviteRole(townAdmin, 'municipality_admin')).toBe(true)
    expect(canInviteRole(townAdmin, 'staff')).toBe(false)
    expect(canInviteRole(townAdmin, 'admin')).toBe(false)
  })

  it('lets members and staff invite nobody', () => {
    expect(canInvite(member)).toBe(false)
    expect(canInvite(staff)).toBe(false)
    expect(canInviteRole(member, 'member')).toBe(false)
  })

  it('puts a municipality admin’s invitations into their own municipality, whatever was asked', () => {
    expect(invitationMunicipality(townAdmin, 'member', 99)).toBe(7)
    expect(invitationMunicipality(townAdmin, 'member', null)).toBe(7)
    expect(invitationMunicipality(admin, 'member', 99)).toBe(99)
    expect(invitationMunicipality(admin, 'staff', 99)).toBeNull()
  })

  it('scopes municipality admins to their municipality and admins to everything', () => {
    expect(invitationScope(townAdmin)).toBe(7)
    expect(invitationScope(admin)).toBeNull()
  })

  it('derives the state from used, revoked and expiry times', () => {
    const now = new Date('2026-03-10T00:00:00Z')
    const base = { used_at: null, revoked_at: null, expires_at: new Date('2026-03-11T00:00:00Z') }
    expect(invitationState(base, now)).toBe('pending')
    expect(invitationState({ ...base, expires_at: now }, now)).toBe('expired')
    expect(invitationState({ ...base, used_at: now }, now)).toBe('accepted')
    expect(invitationState({ ...base, revoked_at: now }, now)).toBe('revoked')
  })
})

describe('reading invitation CSV', () => {
  it('reads German Excel output: BOM, semicolons, header row in any order, quoted commas', () => {
    const result = parseInvitationCsv('\uFEFFE-Mail;Name;Rolle\r\na@b.de;"Müller, Hans";Mitglied\r\n\r\nc@d.de;Eva;\r\n')
    expect(result).toEqual({
      ok: true,
      rows: [
        { line: 2, name: 'Müller, Hans', email: 'a@b.de', role: 'Mitglied' },
        { line: 4, name: 'Eva', email: 'c@d.de', role: '' },
      ],
    })
  })

  it('reads comma-separated rows without a header in the order name, email, role', () => {
    const result = parseInvitationCsv('Eva Beispiel,eva@example.de,municipality_admin')
    expect(result).toEqual({ ok: true, rows: [{ line: 1, name: 'Eva Beispiel', email: 'eva@example.de', role: 'municipality_admin' }] })
  })

  it('refuses more than 500 rows and text that is not CSV', () => {
    const many = Array.from({ length: 501 }, (_, i) => `P ${i};p${i}@example.de;member`).join('\n')
    expect(parseInvitationCsv(many)).toEqual({ ok: false, error: 'invitations.bulk.tooMany' })
    expect(parseInvitationCsv('a;"unclosed\n')).toEqual({ ok: false, error: 'invitations.bulk.unreadable' })
    expect(parseInvitationCsv('\n\n')).toEqual({ ok: false, error: 'invitations.bulk.empty' })
  })

  it('understands role names as people type them', () => {
    expect(parseRole('')).toBe('member')
    expect(parseRole('Mitglied')).toBe('member')
    expect(parseRole('Ansprechperson der Kommune')).toBe('municipality_admin')
    expect(parseRole('admin')).toBe('admin')
    expect(parseRole('Bürgermeister')).toBeNull()
  })
})
