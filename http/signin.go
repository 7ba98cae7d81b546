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
	pw := r.FormValue("password")
	next := localPath(r.FormValue("next"))
	u, err := s.st.FindUserByLogin(r.Context(), login)
	switch {
	case kexi.ErrorCode(err) == kexi.ENOTFOUND:
		CheckPassword(dummyHash(), pw) // same cost as a real check
		u = nil
	case err != nil:
		return err
	case !CheckPassword(u.PasswordHash, pw):
		u = nil
	}
	if u == nil {
		s.log.Warn("sign-in failed", "login", login, "remote", r.RemoteAddr)
		p := s.newPage(w, r, "Sign in", "")
		p.Error = p.T("bad_login")
		p.Data = loginView{Next: next, Login: login}
		return s.render(w, r, http.StatusUnauthorized, "login", p)
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.st.Audit(r.Context(), kexi.AuditEntry{At: s.now().UTC(), Login: u.Login, Action: "sign_in"})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if a := authOf(r); a != nil && !a.session.API {
		if err := s.st.DeleteSession(r.Context(), a.session.TokenHash); err != nil && kexi.ErrorCode(err) != kexi.ENOTFOUND {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
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
	if !none || !s.setupOpen(tok) {
		p.Error = p.T("setup_used")
		return s.render(w, r, http.StatusNotFound, "setup", p)
	}
	nu := newUser{Login: r.FormValue("login"), Name: r.FormValue("name"), Role: kexi.RoleAdmin,
		Password: r.FormValue("password"), Lang: langOf(r)}
	u, err := s.createUser(r, nu)
	if err != nil {
		p.Error = errText(p.Lang, err)
		p.Problems = problemsOf(err)
		p.Data = setupView{Token: tok, Login: nu.Login, Name: nu.Name}
		return s.render(w, r, statusOf(kexi.ErrorCode(err)), "setup", p)
	}
	s.closeSetup()
	s.log.Info("first administrator created", "login", u.Login)
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// createUser checks and stores a new user.
func (s *Server) createUser(r *http.Request, nu newUser) (*kexi.User, error) {
	nu.Login = strings.TrimSpace(nu.Login)
	if nu.Login == "" || strings.ContainsAny(nu.Login, " \t\r\n") {
		return nil, fieldError("login", nu.Login, "a login is one word without spaces")
	}
	if !validRole(nu.Role) {
		return nil, fieldError("role", nu.Role, "expected admin, manager, analyst or sales")
	}
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return nil, err
	}
	u := &kexi.User{Login: nu.Login, Name: strings.TrimSpace(nu.Name), Role: nu.Role,
		Region: strings.TrimSpace(nu.Region), Lang: nu.Lang, PasswordHash: hash}
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

// createToken makes an API token for user id.
func (s *Server) createToken(r *http.Request, id int64, name string) (string, error) {
	u, err := s.st.FindUserByID(r.Context(), id)
	if err != nil {
		return "", err
	}
	if name == "" {
		name = "api"
	}
	tok, err := CreateAPIToken(r.Context(), s.st, u.ID, name, s.now())
	if err != nil {
		return "", err
	}
	s.audit(r, "create", "token", "login="+u.Login+" name="+name)
	return tok, nil
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
	Token      string
	TokenLogin string
	Audit      []kexi.AuditEntry
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, status int, p *page, v usersView) error {
	us, err := s.st.FindUsers(r.Context())
	if err != nil {
		return err
	}
	au, err := s.st.FindAudit(r.Context(), 50)
	if err != nil {
		return err
	}
	v.Users, v.Audit, v.Roles = us, au, []string{kexi.RoleAdmin, kexi.RoleManager, kexi.RoleAnalyst, kexi.RoleSales}
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
	tok, err := s.createToken(r, id, strings.TrimSpace(r.FormValue("name")))
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

type settingsView struct {
	Currencies []string
	Backup     *kexi.BackupRecord // the last verified backup, shown to administrators
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
	p.Data = settingsView{Currencies: []string{"CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD"}, Backup: s.lastBackup(r.Context())}
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
	if err := s.st.SaveSettings(r.Context(), st); err != nil {
		return err
	}
	s.forgetSettings()
	s.audit(r, "update", "settings", fmt.Sprintf("%+v", st))
	return nil
}
