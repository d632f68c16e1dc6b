/** The Trustpilot area over Tauri: commands in `src-tauri/src/commands/trustpilot.rs`. */
import { COMMANDS, EVENTS, type TrustpilotArea } from "../backend";
import type { BusinessUnit, TrustpilotAccount, TrustpilotSignIn, TrustpilotSignInInput } from "../types";
import type { InvitationInput, InvitationLinkMade, InvitationTemplateChoice } from "../types";
import { call, on } from "./invoke";

export function createTauriTrustpilot(): TrustpilotArea {
  return {
    signIn: (input: TrustpilotSignInInput) => call<TrustpilotSignIn>(COMMANDS.trustpilotSignIn, { input }),
    status: () => call<TrustpilotSignIn>(COMMANDS.trustpilotStatus),
    cancel: () => call<void>(COMMANDS.trustpilotCancel),
    reopenBrowser: () => call<void>(COMMANDS.trustpilotReopen),
    findBusinessUnit: (name: string) => call<BusinessUnit>(COMMANDS.trustpilotFindUnit, { name }),
    chooseBusinessUnit: (id: string) => call<TrustpilotAccount>(COMMANDS.trustpilotChooseUnit, { id }),
    businessUnit: () => call<BusinessUnit>(COMMANDS.trustpilotUnit),
    saveRedirectPage: () => call<string>(COMMANDS.trustpilotSaveRedirectPage),
    invitationTemplates: () => call<InvitationTemplateChoice[]>(COMMANDS.invitationTemplates),
    createInvitationLink: (input: InvitationInput) => call<InvitationLinkMade>(COMMANDS.createInvitationLink, { input }),
    sendEmailInvitation: (input: InvitationInput) => call<void>(COMMANDS.sendEmailInvitation, { input }),
    onSignIn: (handler: (status: TrustpilotSignIn) => void) => on<TrustpilotSignIn>(EVENTS.trustpilotSignIn, handler),
  };
}
