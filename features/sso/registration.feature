@sso @needs:sso_platform
Feature: Partner registration
  The app registers a user at the partner, which creates the patient on the
  platform (SnapMD wiki "Mobile SSO", "Registration").

  @req:SSO-REG-01
  Scenario Outline: Every required field is validated
    Given Podrick has a partner account
    When Brienne registers at the partner with <field> "<value>"
    Then the partner refuses with a field error naming <field>

    Examples:
      | field                       | value       |
      | FirstName                   |             |
      | Email                       | not-email   |
      | Address                     |             |
      | MobileNumberWithCountryCode | 0471 12 34  |
      | Gender                      | X           |
      | Password                    | short       |

  @req:SSO-REG-05
  Scenario: A common password is refused
    Given Podrick has a partner account
    When Brienne registers at the partner with Password "password123"
    Then the partner refuses with a field error naming Password

  @req:SSO-REG-02
  Scenario: A patient already on the platform is reused, not created again
    Given Podrick is already a patient on the platform
    When Podrick registers at the partner
    Then the target accepts the request
    When Podrick signs in at the partner
    Then the partner answers with only the token fields, not to be cached
    And the platform holds exactly one patient for Podrick

  @req:SSO-REG-03
  Scenario: A taken e-mail gets the same answer as a new one
    Given Arya has a partner account
    When Arya registers at the partner
    And Gendry registers at the partner
    Then the answers to registration for Arya and Gendry were the same

  @req:SSO-REG-04
  Scenario: Role and hospital sent by the client are ignored
    When Gilly registers at the partner claiming to be an admin of another hospital
    Then the target accepts the request
    When Gilly signs in at the partner
    Then the partner answers with only the token fields, not to be cached
    And every JWT the partner built for Gilly passed the platform's checks
    And the platform holds exactly one patient for Gilly
