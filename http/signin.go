package kexihttp

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

type loginView struct {
	Next, Login string
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	if userOf(r) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	p := s.newPage(w, r, "Sign in", "")
	p.Data = loginView{Next: localPath(r.URL.Query().Get("next"))}
	return s.render(w, r, http.StatusOK, "login", p)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	login := strings.TrimSpace(r.FormValue("login"))
	if len(login) > maxLoginLen {
		// No login is this long; keep the throttle's keys, the log and the page small.
		login = strings.ToValidUTF8(login[:maxLoginLen], "")
	}
	pw := r.FormValue("password")
	next := localPath(r.FormValue("next"))
	addr := s.clientAddr(r)
	loginKey, addrKey := "login:"+strings.ToLower(login), "addr:"+addr
	if dev := s.deviceOf(r, login); dev != "" {
		// A browser that signed in as this login before: counted on its own (see deviceOf).
		loginKey = "device:" + dev
	}
	fail := func(status int, msg string, retry time.Duration) error {
		if retry > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
		}
		p := s.newPage(w, r, "Sign in", "")
		p.Error = msg
		p.Data = loginView{Next: next, Login: login}
		return s.render(w, r, status, "login", p)
	}
	// A login or address that failed too often waits, and is answered without hashing.
	if d := s.throttle.wait(s.now(), loginKey, addrKey); d > 0 {
		return fail(http.StatusTooManyRequests, fmt.Sprintf(tr(langOf(r), "too_many_signins"), waitText(d)), d)
	}
	u, err := s.st.FindUserByLogin(r.Context(), login)
	hash := ""
	switch {
	case kexi.ErrorCode(err) == kexi.ENOTFOUND:
		u = nil
	case err != nil:
		return err
	default:
		hash = u.PasswordHash
	}
	ok, throttled := false, time.Duration(0)
	if err := s.hasher.do(r.Context(), func() {
		// Others may have failed while this one waited for a hasher: look again.
		if throttled = s.throttle.wait(s.now(), loginKey, addrKey); throttled > 0 {
			return
		}
		if hash == "" {
			CheckPassword(dummyHash(), pw) // same cost as a real check
			return
		}
		ok = CheckPassword(hash, pw)
	}); err != nil {
		return fail(http.StatusServiceUnavailable, errText(langOf(r), err), hashWaitLimit)
	}
	if throttled > 0 {
		return fail(http.StatusTooManyRequests, fmt.Sprintf(tr(langOf(r), "too_many_signins"), waitText(throttled)), throttled)
	}
	if !ok {
		now := s.now()
		lockedLogin := s.throttle.fail(now, loginKey, loginFree, loginLockout)
		lockedAddr := s.throttle.fail(now, addrKey, addrFree, addrLockout)
		s.log.Warn("sign-in failed", "login", login, "remote", addr)
		s.auditAs(r, login, "sign_in_failed", "", "remote="+addr)
		if lockedLogin {
			s.auditAs(r, login, "sign_in_locked", "user", fmt.Sprintf("%d failures; locked for %v", loginLockout, maxWait))
		}
		if lockedAddr {
			s.auditAs(r, login, "sign_in_locked", "address", fmt.Sprintf("remote=%s: %d failures; blocked for %v", addr, addrLockout, maxWait))
		}
		return fail(http.StatusUnauthorized, tr(langOf(r), "bad_login"), 0)
	}
	s.throttle.forget(loginKey)
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.rememberDevice(w, r, u.Login)
	s.auditAs(r, u.Login, "sign_in", "", "remote="+addr)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// auditAs records an action on behalf of login (a sign-in, where no one is signed in yet);
// failures are logged, never shown.
func (s *Server) auditAs(r *http.Request, login, action, entity, detail string) {
	err := s.st.Audit(r.Context(), kexi.AuditEntry{At: s.now().UTC(), Login: login, Action: action,
		Entity: entity, Detail: detail})
	if err != nil {
		s.log.Error("audit", "action", action, "entity", entity, "err", err)
	}
}

// waitText is a wait rounded up to whole seconds, or minutes past two minutes.
func waitText(d time.Duration) string {
	if d > 2*time.Minute {
		return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("%d s", int((d+time.Second-1)/time.Second))
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if a := authOf(r); a != nil && !a.session.API {
		if err := s.st.DeleteSession(r.Context(), a.session.TokenHash); err != nil && kexi.ErrorCode(err) != kexi.ENOTFOUND {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type setupView struct {
	Token, Login, Name string
}

// noUsers reports whether the store has no users yet.
func (s *Server) noUsers(r *http.Request) (bool, error) {
	us, err := s.st.FindUsers(r.Context())
	if err != nil {
		return false, err
	}
	return len(us) == 0, nil
}

func (s *Server) handleSetupPage(w http.ResponseWriter, r *http.Request) error {
	tok := r.URL.Query().Get("token")
	none, err := s.noUsers(r)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, "Set up kexi", "")
	if !none || !s.setupOpen(tok) {
		p.Error = p.T("setup_used")
		return s.render(w, r, http.StatusNotFound, "setup", p)
	}
	p.Data = setupView{Token: tok}
	return s.render(w, r, http.StatusOK, "setup", p)
}

func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) error {
	tok := r.FormValue("token")
	none, err := s.noUsers(r)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, "Set up kexi", "")
	used := func() error {
		p.Error = p.T("setup_used")
		return s.render(w, r, http.StatusNotFound, "setup", p)
	}
	if !none || !s.setupOpen(tok) {
		return used()
	}
	nu := newUser{Login: r.FormValue("login"), Name: r.FormValue("name"), Role: kexi.RoleAdmin,
		Password: r.FormValue("password"), Lang: langOf(r)}
	// Check and hash first, so that a mistake leaves the link usable; then take the link, so
	// that of requests racing with it exactly one creates the administrator.
	u, err := s.checkUser(r, nu)
	if err == nil {
		if !s.takeSetup(tok) {
			return used()
		}
		none, err = s.noUsers(r)
		if err == nil && !none {
			return used() // a user was added by other means meanwhile: the link stays closed
		}
		if err == nil {
			err = s.st.CreateUser(r.Context(), u)
		}
		if err != nil {
			s.reopenSetup(tok)
		}
	}
	if err != nil {
		if kexi.ErrorCode(err) == kexi.EINTERNAL {
			return err
		}
		p.Error = errText(p.Lang, err)
		p.Problems = problemsOf(err)
		p.Data = setupView{Token: tok, Login: nu.Login, Name: nu.Name}
		return s.render(w, r, statusOf(kexi.ErrorCode(err)), "setup", p)
	}
	s.log.Info("first administrator created", "login", u.Login)
	s.auditAs(r, u.Login, "create", "user", "login="+u.Login+" role="+u.Role+" (setup link)")
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// checkUser checks a new user and hashes their password; the user is not stored yet.
func (s *Server) checkUser(r *http.Request, nu newUser) (*kexi.User, error) {
	nu.Login = strings.TrimSpace(nu.Login)
	if nu.Login == "" || strings.ContainsAny(nu.Login, " \t\r\n") {
		return nil, fieldError("login", nu.Login, "a login is one word without spaces")
	}
	if len(nu.Login) > maxLoginLen {
		return nil, fieldError("login", nu.Login[:20]+"…", fmt.Sprintf("a login has at most %d bytes", maxLoginLen))
	}
	if !validRole(nu.Role) {
		return nil, fieldError("role", nu.Role, "expected admin, manager, analyst or sales")
	}
	hash, err := s.hashPassword(r.Context(), nu.Password)
	if err != nil {
		return nil, err
	}
	return &kexi.User{Login: nu.Login, Name: strings.TrimSpace(nu.Name), Role: nu.Role,
		Region: strings.TrimSpace(nu.Region), Lang: nu.Lang, PasswordHash: hash}, nil
}

// createUser checks and stores a new user.
func (s *Server) createUser(r *http.Request, nu newUser) (*kexi.User, error) {
	u, err := s.checkUser(r, nu)
	if err != nil {
		return nil, err
	}
	if err := s.st.CreateUser(r.Context(), u); err != nil {
		return nil, err
	}
	return u, nil
}

// addUser creates a user on an admin's behalf and records it.
func (s *Server) addUser(r *http.Request, nu newUser) (*kexi.User, error) {
	u, err := s.createUser(r, nu)
	if err != nil {
		return nil, err
	}
	s.audit(r, "create", "user", "login="+u.Login+" role="+u.Role)
	return u, nil
}

// deleteUser removes a user; admins cannot remove themselves.
func (s *Server) deleteUser(r *http.Request, id int64) error {
	if me := userOf(r); me != nil && me.ID == id {
		return kexi.Errorf(kexi.EINVALID, "you cannot delete yourself")
	}
	u, err := s.st.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteUser(r.Context(), id); err != nil {
		return err
	}
	s.audit(r, "delete", "user", "login="+u.Login)
	return nil
}

// createToken makes an API token for user id that expires after days (0: 365).
func (s *Server) createToken(r *http.Request, id int64, name string, days int) (string, error) {
	if days < 0 || time.Duration(days)*24*time.Hour > maxTokenTTL {
		return "", fieldError("days", strconv.Itoa(days), fmt.Sprintf("expected 1 to %d days", int(maxTokenTTL/(24*time.Hour))))
	}
	u, err := s.st.FindUserByID(r.Context(), id)
	if err != nil {
		return "", err
	}
	if name == "" {
		name = "api"
	}
	tok, err := CreateAPIToken(r.Context(), s.st, u.ID, name, s.now(), time.Duration(days)*24*time.Hour)
	if err != nil {
		return "", err
	}
	s.audit(r, "create", "token", fmt.Sprintf("login=%s name=%s id=%s", u.Login, name, hashToken(tok)[:kexi.TokenIDLen]))
	return tok, nil
}

// tokenView is an API token as lists show it: never its secret or its whole hash.
type tokenView struct {
	ID        string    `json:"id"`
	UserID    int64     `json:"user_id"`
	Login     string    `json:"login,omitempty"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Expired   bool      `json:"expired"`
}

// tokens lists the API tokens of user id, or of everyone for 0; us are the users whose
// logins the list names (the caller has read them already).
func (s *Server) tokens(r *http.Request, id int64, us []*kexi.User) ([]tokenView, error) {
	ts, err := s.st.FindAPITokens(r.Context(), id)
	if err != nil {
		return nil, err
	}
	logins := map[int64]string{}
	for _, u := range us {
		logins[u.ID] = u.Login
	}
	now := s.now()
	out := []tokenView{}
	for _, t := range ts {
		out = append(out, tokenView{ID: t.ID(), UserID: t.UserID, Login: logins[t.UserID], Name: t.Name,
			CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, Expired: !t.ExpiresAt.After(now)})
	}
	return out, nil
}

// revokeToken deletes the API token with the public id tokenID of user id; ENOTFOUND when
// that user has no such token.
func (s *Server) revokeToken(r *http.Request, id int64, tokenID string) error {
	ts, err := s.st.FindAPITokens(r.Context(), id)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.UserID == id && len(tokenID) == kexi.TokenIDLen && t.ID() == tokenID {
			if err := s.st.DeleteSession(r.Context(), t.TokenHash); err != nil {
				return err
			}
			s.audit(r, "revoke", "token", fmt.Sprintf("user=%d name=%s id=%s", id, t.Name, tokenID))
			return nil
		}
	}
	return errNotFound
}

func problemsOf(err error) []kexi.FieldProblem {
	var e *kexi.Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

type usersView struct {
	Users      []*kexi.User
	Roles      []string
	NewRole    string // the role the new-user form starts on
	Token      string
	TokenLogin string
	Tokens     []tokenView
	Audit      []kexi.AuditEntry
}

// newUserRoles are the roles the new-user form offers, the least privileged first and
// preselected: a sales user sees only the customers they own (a new one: none) and changes
// only those; an analyst reads and exports every customer's personal data. Granting more is
// a deliberate choice, never a form left at its default.
var newUserRoles = []string{kexi.RoleSales, kexi.RoleAnalyst, kexi.RoleManager, kexi.RoleAdmin}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, status int, p *page, v usersView) error {
	us, err := s.st.FindUsers(r.Context())
	if err != nil {
		return err
	}
	au, err := s.st.FindAudit(r.Context(), 50)
	if err != nil {
		return err
	}
	if v.Tokens, err = s.tokens(r, 0, us); err != nil {
		return err
	}
	v.Users, v.Audit, v.Roles, v.NewRole = us, au, newUserRoles, newUserRoles[0]
	p.Data = v
	return s.render(w, r, status, "users", p)
}

func (s *Server) handleUsersPage(w http.ResponseWriter, r *http.Request) error {
	return s.usersPage(w, r, http.StatusOK, s.newPage(w, r, "Users", "users"), usersView{})
}

func (s *Server) handleUserAdd(w http.ResponseWriter, r *http.Request) error {
	nu := newUser{Login: r.FormValue("login"), Name: r.FormValue("name"), Role: r.FormValue("role"),
		Region: r.FormValue("region"), Password: r.FormValue("password")}
	p := s.newPage(w, r, "Users", "users")
	if _, err := s.addUser(r, nu); err != nil {
		if kexi.ErrorCode(err) == kexi.EINTERNAL {
			return err
		}
		p.Error, p.Problems = errText(p.Lang, err), problemsOf(err)
		return s.usersPage(w, r, statusOf(kexi.ErrorCode(err)), p, usersView{})
	}
	http.Redirect(w, r, "/users", http.StatusSeeOther)
	return nil
}

func (s *Server) handleUserDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.deleteUser(r, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/users", http.StatusSeeOther)
	return nil
}

func (s *Server) handleUserToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	days := 0
	if v := strings.TrimSpace(r.FormValue("days")); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days == 0 {
			return fieldError("days", v, "expected a whole number of days")
		}
	}
	tok, err := s.createToken(r, id, strings.TrimSpace(r.FormValue("name")), days)
	if err != nil {
		return err
	}
	u, _ := s.st.FindUserByID(r.Context(), id)
	login := ""
	if u != nil {
		login = u.Login
	}
	return s.usersPage(w, r, http.StatusOK, s.newPage(w, r, "Users", "users"), usersView{Token: tok, TokenLogin: login})
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.revokeToken(r, id, r.PathValue("token")); err != nil {
		return err
	}
	http.Redirect(w, r, "/users", http.StatusSeeOther)
	return nil
}

type settingsView struct {
	Currencies []string
	Backup     *kexi.BackupRecord // the last verified backup, shown to administrators
	Labels     []kexi.ValueLabel  // the value labels, then empty rows to add some
	Fields     []string           // the fields a value label can name
}

func (s *Server) handleSettingsPage(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(w, r, "Settings", "settings")
	st, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	p.Settings = st
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = p.T("Saved.")
	}
	p.Data = settingsView{Currencies: currencies, Backup: s.lastBackup(r.Context()), Labels: labelsView(st.Labels), Fields: labelFields}
	return s.render(w, r, http.StatusOK, "settings", p)
}

func (s *Server) handleSettingsSave(w http.ResponseWriter, r *http.Request) error {
	st := kexi.Settings{Currency: strings.ToUpper(strings.TrimSpace(r.FormValue("currency"))),
		TimeZone: strings.TrimSpace(r.FormValue("time_zone")), Lang: r.FormValue("lang")}
	v := strings.TrimSpace(r.FormValue("cost_per_minute"))
	c, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return fieldError("cost_per_minute", v, "expected a number")
	}
	st.CostPerMinute = c
	cur, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	st.Labels = cur.Labels // saved by their own form
	if err := s.saveSettings(r, st); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings?saved=1", http.StatusSeeOther)
	return nil
}

// saveSettings validates and stores settings.
func (s *Server) saveSettings(r *http.Request, st kexi.Settings) error {
	if len(st.Currency) != 3 || strings.ToUpper(st.Currency) != st.Currency {
		return fieldError("currency", st.Currency, "expected a three-letter ISO code such as CNY")
	}
	if _, err := time.LoadLocation(st.TimeZone); err != nil || st.TimeZone == "" {
		return fieldError("time_zone", st.TimeZone, "expected an IANA time zone such as Asia/Shanghai")
	}
	if st.CostPerMinute < 0 {
		return fieldError("cost_per_minute", fmt.Sprint(st.CostPerMinute), "expected 0 or more")
	}
	if st.Lang != langEn && st.Lang != langZh {
		return fieldError("lang", st.Lang, "expected zh or en")
	}
	if err := checkLabels(st.Labels); err != nil {
		return err
	}
	if err := s.st.SaveSettings(r.Context(), st); err != nil {
		return err
	}
	s.forgetSettings()
	s.audit(r, "update", "settings", fmt.Sprintf("%+v", st))
	return nil
}
