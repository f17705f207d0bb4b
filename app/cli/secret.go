package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/tokentray/tokentray/app/apiclient"
)

// maxKeyInput bounds a private key read from a file or standard input.
const maxKeyInput = 64 << 10

// runSecret is `tokentray secret set|set-key|delete PROFILE`: the client
// credentials of a profile go to the keyring through the agent, never into
// the config file, and are never printed.
func runSecret(c *cmdContext) error {
	// Flags may come anywhere: tokentray secret --config F set p.
	if err := c.parse(c.pending, 3); err != nil {
		return err
	}
	if len(c.args) == 0 {
		return fmt.Errorf("%w: tokentray secret set|set-key|delete PROFILE", errUsage)
	}
	sub, rest := c.args[0], c.args[1:]
	maxArgs := 1
	if sub == "set-key" {
		maxArgs = 2
	}
	if len(rest) > maxArgs {
		return fmt.Errorf("%w: too many arguments: %s", errUsage, strings.Join(rest, " "))
	}
	if len(rest) == 0 {
		return fmt.Errorf("%w: name the profile: tokentray secret %s PROFILE", errUsage, sub)
	}
	c.args = rest
	profile, cl := c.args[0], c.client()
	switch sub {
	case "set":
		secret, err := c.askPassword(fmt.Sprintf("Client secret for %s: ", profile))
		if err != nil {
			return err
		}
		res, err := cl.SetSecret(c.ctx, profile, secret)
		if err != nil {
			return err
		}
		c.printf("Stored the client secret of %s in the keyring.\n", profile)
		c.secretOutcome(profile, res)
	case "set-key":
		pem, err := c.readKey(argAt(c.args, 1))
		if err != nil {
			return err
		}
		res, err := cl.SetPrivateKey(c.ctx, profile, pem)
		if err != nil {
			return err
		}
		c.printf("Stored the private key of %s in the keyring.\n", profile)
		c.secretOutcome(profile, res)
	case "delete":
		if err := cl.DeleteSecret(c.ctx, profile); err != nil {
			return err
		}
		if err := cl.DeletePrivateKey(c.ctx, profile); err != nil {
			return err
		}
		c.printf("Deleted the client secret and private key of %s from the keyring.\n", profile)
	default:
		return fmt.Errorf("%w: unknown subcommand %q: tokentray secret set|set-key|delete PROFILE", errUsage, sub)
	}
	return nil
}

func (c *cmdContext) secretOutcome(profile string, res apiclient.SecretResponse) {
	if res.Note != "" {
		c.errorf("Note: %s\n", res.Note)
	}
	if res.Resumed && res.Status != nil {
		c.printf("%s works again without a new login: %s\n", profile, res.Status.Summary(time.Now()))
	}
}

// readKey reads a PEM private key from path, or from standard input when
// path is "" or "-".
func (c *cmdContext) readKey(path string) (string, error) {
	var r io.Reader = c.env.Stdin
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	} else if f, ok := c.env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "", fmt.Errorf("%w: give the key file, or pipe it: tokentray secret set-key PROFILE < key.pem", errUsage)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxKeyInput+1))
	if err != nil {
		return "", fmt.Errorf("reading the private key: %w", err)
	}
	if len(b) > maxKeyInput {
		return "", errors.New("the private key is larger than 64 KiB; it is not a PEM private key")
	}
	if !strings.Contains(string(b), "PRIVATE KEY-----") {
		return "", errors.New("that is not a PEM private key (no -----BEGIN … PRIVATE KEY----- line)")
	}
	return string(b), nil
}

// argAt returns args[i], or "" when there are fewer arguments.
func argAt(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}
