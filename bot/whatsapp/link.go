package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// LinkStep names what Link shows the operator.
type LinkStep string

// The steps of linking.
const (
	// StepQR: a QR code to scan on the phone (WhatsApp → Linked devices → Link a
	// device); Code is its content. A new one replaces it after Timeout.
	StepQR LinkStep = "qr"
	// StepPairingCode: the code to type on the phone instead (Link with phone number);
	// Code is it, as "ABCD-EFGH".
	StepPairingCode LinkStep = "pairing_code"
	// StepPaired: the phone accepted; the desk finishes connecting.
	StepPaired LinkStep = "paired"
)

// LinkEvent is one step of linking to show the operator.
type LinkEvent struct {
	Step    LinkStep
	Code    string
	Timeout time.Duration // how long Code is valid (StepQR)
}

// Errors of Link besides the network's own.
var (
	// ErrLinkTimeout: no phone linked the desk before the codes ran out (160 seconds).
	ErrLinkTimeout = errors.New("whatsapp: no phone linked the desk in time; run the command again")
	// ErrOutdated: WhatsApp refuses this program's whatsmeow version (405, client
	// outdated): rebuild it with a newer one (README, "WhatsApp").
	ErrOutdated = errors.New("whatsapp: WhatsApp refuses this program's version (405 client outdated): update whatsmeow and rebuild (see README, WhatsApp)")
	// ErrBadPhone: --phone is not a phone number in international form.
	ErrBadPhone = errors.New("whatsapp: the phone number must be digits in international form, such as 6281234567890 (no + and no leading 0)")
)

// pairDisplay is how the desk announces itself when pairing by code; WhatsApp accepts
// only "Browser (OS)" names of common browsers.
const pairDisplay = "Chrome (Linux)"

// loginWait bounds the wait for the connection after the phone accepted, and for
// logging in before Unlink tells WhatsApp.
const loginWait = time.Minute

// Link links the desk to a WhatsApp account, calling show at each step: with phone
// empty, each QR code as WhatsApp rotates them; with phone (international digits,
// 628…), the pairing code to type on that phone, whose account alone is accepted. It
// returns the account once the phone accepted and the desk connected, ErrLinked when
// an account is linked already, ErrLinkTimeout when the codes ran out, ErrOutdated
// when WhatsApp refuses this version, and ctx's error when cancelled. Run it while
// this process holds the connection's lock, and set the device's name first
// (SetDeviceName).
func (s *Session) Link(ctx context.Context, phone string, show func(LinkEvent)) (Account, error) {
	if phone != "" {
		phone = strings.TrimPrefix(strings.ReplaceAll(phone, " ", ""), "+")
		if len(phone) < 8 || len(phone) > 15 || strings.Trim(phone, "0123456789") != "" || phone[0] == '0' {
			return Account{}, ErrBadPhone
		}
	}
	dev, err := s.device(ctx)
	if err != nil {
		return Account{}, err
	}
	if dev.ID != nil {
		return Account{Linked: true, Number: dev.ID.User, Name: dev.PushName, Business: dev.BusinessName}, ErrLinked
	}
	cli := s.newClient(dev)
	cli.EnableAutoReconnect = false
	if phone != "" {
		cli.PrePairCallback = func(jid types.JID, _, _ string) bool { return jid.User == phone }
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	qr, err := cli.GetQRChannel(lctx)
	if err != nil {
		return Account{}, fmt.Errorf("whatsapp: link: %w", err)
	}
	done := watchLogin(cli)
	if err := cli.ConnectContext(lctx); err != nil {
		return Account{}, fmt.Errorf("whatsapp: link: connect: %w", err)
	}
	defer cli.Disconnect()
	asked := false
	for item := range qr {
		switch {
		case item.Event == whatsmeow.QRChannelEventCode && phone == "":
			show(LinkEvent{Step: StepQR, Code: item.Code, Timeout: item.Timeout})
		case item.Event == whatsmeow.QRChannelEventCode && !asked:
			asked = true
			code, err := cli.PairPhone(lctx, phone, true, whatsmeow.PairClientChrome, pairDisplay)
			if err != nil {
				return Account{}, fmt.Errorf("whatsapp: link: pairing code: %w", err)
			}
			show(LinkEvent{Step: StepPairingCode, Code: code})
		case item == whatsmeow.QRChannelSuccess:
			show(LinkEvent{Step: StepPaired})
			return s.linked(lctx, cli, done)
		case item == whatsmeow.QRChannelTimeout:
			return Account{}, ErrLinkTimeout
		case item == whatsmeow.QRChannelClientOutdated:
			return Account{}, ErrOutdated
		case item == whatsmeow.QRChannelScannedWithoutMultidevice:
			return Account{}, errors.New("whatsapp: the phone's WhatsApp is too old to link devices: update it and run the command again")
		case item.Event == whatsmeow.QRChannelEventError:
			if errors.Is(item.Error, whatsmeow.ErrPairRejectedLocally) {
				return Account{}, fmt.Errorf("whatsapp: another number than %s tried to link: refused", MaskNumber(phone))
			}
			return Account{}, fmt.Errorf("whatsapp: link: %w", item.Error)
		case item.Event != whatsmeow.QRChannelEventCode:
			return Account{}, fmt.Errorf("whatsapp: link: unexpected %s", item.Event)
		}
	}
	if err := ctx.Err(); err != nil {
		return Account{}, err
	}
	return Account{}, ErrLinkTimeout
}

// linked waits for the connection that follows a successful pairing and returns the
// account.
func (s *Session) linked(ctx context.Context, cli *whatsmeow.Client, done <-chan error) (Account, error) {
	wctx, cancel := context.WithTimeout(ctx, loginWait)
	defer cancel()
	select {
	case err := <-done:
		if err != nil {
			return Account{}, fmt.Errorf("whatsapp: linked, but the first connection failed: %w", err)
		}
	case <-wctx.Done():
		return Account{}, fmt.Errorf("whatsapp: linked, but the first connection did not finish: %w", wctx.Err())
	}
	id := cli.Store.GetJID()
	return Account{Linked: true, Number: id.User, Name: cli.Store.PushName, Business: cli.Store.BusinessName}, nil
}

// watchLogin returns a channel that receives nil once cli is connected and logged in,
// or the reason it will not be.
func watchLogin(cli *whatsmeow.Client) <-chan error {
	done := make(chan error, 1)
	tell := func(err error) {
		select {
		case done <- err:
		default:
		}
	}
	cli.AddEventHandler(func(evt any) {
		switch e := evt.(type) {
		case *events.Connected:
			tell(nil)
		case *events.ClientOutdated:
			tell(ErrOutdated)
		case events.PermanentDisconnect:
			tell(errors.New(e.PermanentDisconnectDescription()))
		}
	})
	return done
}

// waitLoggedIn waits until cli, connecting, is logged in (or fails to be).
func waitLoggedIn(ctx context.Context, cli *whatsmeow.Client, done <-chan error) error {
	wctx, cancel := context.WithTimeout(ctx, loginWait)
	defer cancel()
	select {
	case err := <-done:
		return err
	case <-wctx.Done():
		return fmt.Errorf("not logged in: %w", wctx.Err())
	}
}
