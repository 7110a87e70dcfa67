// Package secretservicetest starts a real, private Secret Service for tests: gnome-keyring-daemon
// on a D-Bus session bus of its own, with an unlocked login keyring in a temporary directory, in
// the spirit of net/http/httptest. It needs dbus-daemon and gnome-keyring-daemon on PATH
// (Debian: apt-get install -y dbus-daemon gnome-keyring; make test installs them).
package secretservicetest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// secretsName is the Secret Service's well-known D-Bus name.
const secretsName = "org.freedesktop.secrets"

// Service is a running private session bus, with or without a Secret Service on it.
type Service struct {
	// Address is the bus's address, the value for DBUS_SESSION_BUS_ADDRESS.
	Address string
	dir     string
	procs   []*exec.Cmd
}

// Start starts a bus and gnome-keyring-daemon on it, and returns once the Secret Service answers.
func Start() (*Service, error) {
	s, err := StartBus()
	if err != nil {
		return nil, err
	}
	if err := s.startKeyring(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// StartBus starts only a session bus: a desktop session without a Secret Service, as on a
// headless server where no keyring daemon runs. Nothing is activated on demand.
func StartBus() (*Service, error) {
	daemon, err := lookPath("dbus-daemon")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ropc-secretservice-")
	if err != nil {
		return nil, err
	}
	s := &Service{dir: dir}
	conf := filepath.Join(dir, "bus.conf")
	// A session bus that listens on a socket in dir and has no service directories, so that
	// nothing (not even an installed gnome-keyring) is started behind the test's back.
	err = os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		s.Close()
		return nil, err
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.Close()
		return nil, err
	}
	cmd.Stderr = nil // its warnings (fd limits as root) are noise
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		s.Close()
		return nil, fmt.Errorf("secretservicetest: start dbus-daemon: %w", err)
	}
	s.procs = append(s.procs, cmd)
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case s.Address = <-addr:
	case <-time.After(20 * time.Second):
	}
	if s.Address == "" {
		s.Close()
		return nil, errors.New("secretservicetest: dbus-daemon printed no address")
	}
	return s, nil
}

func (s *Service) startKeyring() error {
	gk, err := lookPath("gnome-keyring-daemon")
	if err != nil {
		return err
	}
	home := filepath.Join(s.dir, "home")
	run := filepath.Join(s.dir, "run")
	for _, d := range []string{home, run} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	// --unlock reads the login keyring's password from standard input and creates the keyring
	// unlocked, so no prompt is ever shown.
	cmd := exec.Command(gk, "--foreground", "--unlock", "--components=secrets")
	cmd.Stdin = strings.NewReader("ropc-test-keyring")
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+s.Address, "HOME="+home,
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_RUNTIME_DIR="+run)
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("secretservicetest: start gnome-keyring-daemon: %w", err)
	}
	s.procs = append(s.procs, cmd)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := s.hasSecretService()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("secretservicetest: gnome-keyring-daemon did not claim %s within 30s (last error: %v)", secretsName, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Service) hasSecretService() (bool, error) {
	conn, err := dbus.Connect(s.Address)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, secretsName).Store(&has)
	return has, err
}

// Env returns environ with DBUS_SESSION_BUS_ADDRESS set to this bus, for a child process.
func (s *Service) Env(environ []string) []string {
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			out = append(out, kv)
		}
	}
	return append(out, "DBUS_SESSION_BUS_ADDRESS="+s.Address)
}

// Close stops the daemons and removes the keyring.
func (s *Service) Close() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		_ = s.procs[i].Process.Kill()
		_ = s.procs[i].Wait()
	}
	s.procs = nil
	_ = os.RemoveAll(s.dir)
}

func lookPath(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("secretservicetest: %s not found on PATH: install it (Debian: apt-get install -y dbus-daemon gnome-keyring; make test does this when run as root)", name)
	}
	return p, nil
}
